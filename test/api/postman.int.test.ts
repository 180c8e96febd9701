import newman, { type NewmanRunOptions, type NewmanRunSummary } from 'newman';
import type { CollectionDefinition } from 'postman-collection';
import { beforeAll, describe, expect, it } from 'vitest';
import { startFakeCrm } from '../support/fakeCrm.js';
import { setupAffiliate, type AffiliateSetup } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

/** newman's Node API, as a promise; no reporters, so the run prints nothing. */
function runCollection(options: NewmanRunOptions): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) => {
    newman.run({ timeoutRequest: 15_000, ...options }, (err, summary) => (err ? reject(err) : resolve(summary)));
  });
}

/** Each request's name, status and JSON answer, in the order newman sent them. */
function answers(summary: NewmanRunSummary) {
  return summary.run.executions.map((e) => ({ name: e.item.name, code: e.response.code, body: JSON.parse(e.response.text() ?? 'null') as Record<string, unknown> }));
}

describe('the Postman collection, run by newman', () => {
  let server: TestServer;
  let crm: Awaited<ReturnType<typeof startFakeCrm>>;
  let aff: AffiliateSetup;
  let collection: CollectionDefinition;

  beforeAll(async () => {
    server = await startTestServer('postgres', { SYNC_WINDOW_MS: '5000' });
    crm = await startFakeCrm();
    aff = await setupAffiliate(server, { crmUrl: crm.url });
    const res = await server.admin.get<CollectionDefinition>(`/api/admin/affiliates/${aff.affiliateId}/postman-collection`);
    expect(res.status, res.text).toBe(200);
    collection = res.body;
  });

  it('carries the server, the key and the campaign as collection variables, and a test script on each request', () => {
    expect(collection.variable).toEqual([
      { key: 'baseUrl', value: server.url },
      { key: 'apiKey', value: aff.apiKey },
      { key: 'campaignId', value: aff.campaignId },
    ]);
    expect(collection.item?.map((i) => i.name)).toEqual(['Send a lead', 'Lead status']);
    for (const item of collection.item ?? []) {
      expect((item as { event?: unknown }).event).toEqual([{ listen: 'test', script: { type: 'text/javascript', exec: expect.arrayContaining([expect.stringContaining('pm.test(')]) } }]);
    }
  });

  it('sends a lead the CRM accepts, and reads its status, with every assertion passing', async () => {
    const summary = await runCollection({ collection });

    expect(summary.run.failures.map((f) => `${f.source?.name ?? ''}: ${f.error.message}`)).toEqual([]);
    expect(summary.run.stats.requests).toMatchObject({ total: 2, failed: 0 });
    expect(summary.run.stats.assertions).toMatchObject({ total: 2, failed: 0 });
    const [sent, status] = answers(summary);
    expect(sent).toMatchObject({ name: 'Send a lead', code: 200, body: { success: true, status: 'delivered', autoLoginUrl: expect.stringMatching(/^https:\/\/crm\.example\/login\//) } });
    const leadId = sent!.body.leadId as string;
    expect(status).toMatchObject({ name: 'Lead status', code: 200, body: { leadId, status: 'delivered' } });

    // The lead exists for the affiliate, and the CRM got the email the collection generated.
    const lead = await HttpSession.withToken(server.url, aff.apiKey).get(`/api/v1/leads/${leadId}`);
    expect(lead.status, lead.text).toBe(200);
    expect(lead.body).toMatchObject({ success: true, leadId, status: 'delivered' });
    expect(crm.calls.at(-1)?.json).toMatchObject({ lead: leadId, email: expect.stringMatching(/^test\.[0-9a-f-]{36}@example\.com$/), country: 'GB' });
  });

  it('can be run again: every run sends a fresh email, so it is never refused as a duplicate', async () => {
    const first = answers(await runCollection({ collection }))[0]!;
    const second = answers(await runCollection({ collection }))[0]!;
    expect([first.code, second.code]).toEqual([200, 200]);
    expect(first.body.leadId).not.toBe(second.body.leadId);
  });

  it('reports a failed assertion when the lead is refused (an environment variable overrides the key)', async () => {
    const summary = await runCollection({ collection, envVar: [{ key: 'apiKey', value: 'lg_notARealKey' }] });

    expect(summary.run.stats.assertions).toMatchObject({ total: 2, failed: 2 });
    expect(summary.run.failures[0]?.error).toMatchObject({ test: 'the lead is accepted: 200 delivered, or 202 pending' });
    const [sent] = answers(summary);
    expect(sent).toMatchObject({ code: 401, body: { success: false, code: 'auth.invalid_token' } });
  });
});
