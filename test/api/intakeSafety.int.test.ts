import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { openPostgres } from '../../src/db/storage.js';
import { toStoredEvent } from '../../src/events/toStoredEvent.js';
import { waitFor } from '../support/spawnLeadgate.js';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate, type AffiliateSetup } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

describe('intake under concurrency and with secrets in play (real Postgres + Redis)', () => {
  let server: TestServer;
  let crm: Awaited<ReturnType<typeof startFakeCrm>>;
  let aff: AffiliateSetup;
  const logLines: string[] = [];

  beforeAll(async () => {
    server = await startTestServer('postgres+redis', { SYNC_WINDOW_MS: '5000' }, { logLines });
    crm = await startFakeCrm((call) => (String(call.json?.email).includes('+reject') ? { status: 400, body: { message: 'nope' } } : {}));
    aff = await setupAffiliate(server, { crmUrl: crm.url });
  });

  it('accepts exactly one of 50 concurrent identical leads; the other 49 are duplicates of it', async () => {
    const body = leadBody(aff.campaignId);
    const api = HttpSession.withToken(server.url, aff.apiKey);
    const answers = await Promise.all(Array.from({ length: 50 }, () => api.post('/api/v1/leads', body)));
    const accepted = answers.filter((a) => a.status === 200);
    const duplicates = answers.filter((a) => a.status === 409);
    expect(accepted).toHaveLength(1);
    expect(duplicates).toHaveLength(49);
    for (const d of duplicates) expect(d.body).toMatchObject({ code: 'duplicate', leadId: accepted[0]!.body.leadId });
    expect(crm.calls.filter((c) => c.json?.email === body.email)).toHaveLength(1);
  });

  it('answers 503 with Retry-After while the database is unreachable, never a 500, and recovers', async () => {
    const api = HttpSession.withToken(server.url, aff.apiKey);
    const db = server.runtime.deps.storage.db;
    const name = (await sql<{ name: string }>`select current_database() as name`.execute(db)).rows[0]!.name;
    const admin = await openPostgres(inject('databaseUrl'));
    await sql`alter database ${sql.id(name)} allow_connections false`.execute(admin.db);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`.execute(admin.db);
    // The cached key and whitelist may still answer, so the refusal comes where intake writes.
    const during = await api.post('/api/v1/leads', leadBody(aff.campaignId));
    await sql`alter database ${sql.id(name)} allow_connections true`.execute(admin.db);
    await admin.close();
    expect(during.status, during.text).toBe(503);
    expect(during.body).toMatchObject({ success: false, code: 'unavailable' });
    expect(during.headers.get('retry-after')).toBe('5');
    const after = await waitFor(async () => {
      const r = await api.post('/api/v1/leads', leadBody(aff.campaignId));
      return r.status === 200 ? r : undefined;
    }, 10_000, 'intake to recover');
    expect(after.body.status).toBe('delivered');
  });

  it('keeps every secret out of events, tables of reports, logs and error bodies', async () => {
    const api = HttpSession.withToken(server.url, aff.apiKey);
    const password = 'Pa55word-that-must-not-leak';
    const ok = await api.post('/api/v1/leads', leadBody(aff.campaignId, { password }));
    expect(ok.status).toBe(200);
    const rejected = await api.post('/api/v1/leads', leadBody(aff.campaignId, { password, email: `x+reject.${Date.now()}@example.com` }));
    expect(rejected.status).toBe(422);
    const invalid = await api.post('/api/v1/leads', leadBody(aff.campaignId, { password, email: 'broken' }));
    expect(invalid.status).toBe(400);
    // The CRM did get the password: that is its job.
    expect(crm.calls.some((c) => c.json?.password === password)).toBe(true);

    const db = server.runtime.deps.storage.db;
    // Every event, read directly: the gap-safe read would hold back whatever other files' open
    // transactions on this server are in front of.
    const events = (await db.selectFrom('events').selectAll().orderBy('global_position').execute()).map(toStoredEvent);
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(db);
    const dumps: string[] = [];
    for (const { table_name } of tables.rows) {
      dumps.push(JSON.stringify((await sql`select * from ${sql.table(table_name)}`.execute(db)).rows));
    }
    const haystacks = {
      events: JSON.stringify(events),
      tables: dumps.join('\n'),
      logs: logLines.join(''),
      errorBodies: [ok.text, rejected.text, invalid.text].join('\n'),
    };
    for (const [where, text] of Object.entries(haystacks)) {
      expect(text, `API key in ${where}`).not.toContain(aff.apiKey);
      expect(text, `CRM header value in ${where}`).not.toContain('crm-header-secret-value');
      expect(text, `lead password in ${where}`).not.toContain(password);
    }
    expect(logLines.length).toBeGreaterThan(0);
    // The recorded CRM request shows the password masked.
    const delivered = events.find((e) => e.type === 'LeadDelivered' && e.data.leadId === ok.body.leadId);
    expect(delivered && 'http' in delivered.data ? delivered.data.http?.request.body : '').toContain('••••');
  });
});
