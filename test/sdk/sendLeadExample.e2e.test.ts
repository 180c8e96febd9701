import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { AffiliateClient } from '../../sdk/src/index.js';
import { startFakeCrm } from '../support/fakeCrm.js';
import { setupAffiliate, type AffiliateSetup } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The example exactly as its README runs it: `npx tsx sdk/examples/sendLead.ts`, from the repository. */
function runExample(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'sdk/examples/sendLead.ts'], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('sdk/examples/sendLead.ts', () => {
  let server: TestServer;
  let aff: AffiliateSetup;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer('postgres', { SYNC_WINDOW_MS: '1000' });
    const crm = await startFakeCrm((call) => (String(call.json?.email).includes('+slow') ? { delayMs: 2000 } : {}));
    aff = await setupAffiliate(server, { crmUrl: crm.url, integration: { timeoutMs: 5000 } });
    env = { LEADGATE_URL: server.url, LEADGATE_API_KEY: aff.apiKey, LEADGATE_CAMPAIGN_ID: aff.campaignId };
  });

  it('sends a lead, prints it delivered with its auto-login URL, and a rerun with the same email is a duplicate', async () => {
    const email = `example.${Date.now()}@example.com`;
    const run = await runExample({ ...env, LEADGATE_EMAIL: email });
    expect(run, run.stderr).toMatchObject({ code: 0 });
    const [, leadId] = /^sent (?:\S+) → delivered: lead (ld_\S+), auto-login https:\/\/crm\.example\/login\/\S+$/m.exec(run.stdout) ?? [];
    expect(leadId, run.stdout).toBeDefined();
    expect(await new AffiliateClient({ baseUrl: server.url, apiKey: aff.apiKey }).getLead(leadId!)).toMatchObject({ status: 'delivered' });

    const again = await runExample({ ...env, LEADGATE_EMAIL: email });
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`refused (409 duplicate): This lead was already accepted — earlier lead ${leadId}`);
  });

  it('waits for a lead the CRM answers after the sync window', async () => {
    const run = await runExample({ ...env, LEADGATE_EMAIL: `example+slow.${Date.now()}@example.com` });
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/→ pending: lead ld_\S+, the CRM has not answered yet\nthen: delivered, auto-login https:\/\//);
  });

  it('says what to set when the key or campaign is missing', async () => {
    const run = await runExample({ LEADGATE_URL: server.url, LEADGATE_API_KEY: '', LEADGATE_CAMPAIGN_ID: '' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Set LEADGATE_API_KEY and LEADGATE_CAMPAIGN_ID');
  });
});
