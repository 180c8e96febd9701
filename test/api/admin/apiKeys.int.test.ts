import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEmployee } from '../../../src/commands/employees.js';
import { readStream } from '../../../src/events/readStream.js';
import { authenticateApiKey } from '../../../src/security/apiKeyAuth.js';
import { sha256 } from '../../../src/security/tokens.js';
import { HttpSession } from '../../support/http.js';
import { startTestServer, type TestServer } from '../../support/testServer.js';

const DAY_MS = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

describe('affiliate API keys (admin API)', () => {
  let server: TestServer;
  let n = 0;
  const db = () => server.runtime.deps.storage.db;
  const newAffiliate = async (): Promise<string> => {
    n += 1;
    const res = await server.admin.post('/api/admin/affiliates', { name: `Affiliate ${n}`, email: `aff${n}@example.com`, kind: 'affiliate' });
    return res.body.id;
  };
  const keyPath = (affiliateId: string, rest = '') => `/api/admin/affiliates/${affiliateId}/api-key${rest}`;
  const issue = async (affiliateId: string, body?: unknown): Promise<string> => {
    const res = await server.admin.post(keyPath(affiliateId), body);
    expect(res.status).toBe(201);
    return res.body.key;
  };

  beforeAll(async () => {
    server = await startTestServer('postgres');
  });

  it('issues a key shown once, valid for a year, which then authenticates its affiliate', async () => {
    const affiliateId = await newAffiliate();
    const res = await server.admin.post(keyPath(affiliateId));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key: expect.stringMatching(/^lg_[1-9A-HJ-NP-Za-km-z]{32}$/), prefix: expect.stringMatching(/^lg_/) });
    expect(res.body.key.startsWith(res.body.prefix)).toBe(true);
    expect(Math.abs(new Date(res.body.expiresAt).getTime() - (Date.now() + 365 * DAY_MS))).toBeLessThan(60_000);

    const view = await server.admin.get(keyPath(affiliateId));
    expect(view.status).toBe(200);
    expect(view.body).toEqual({
      id: res.body.id,
      prefix: res.body.prefix,
      createdAt: expect.any(String),
      expiresAt: res.body.expiresAt,
      lastUsedAt: null,
      expiresSoon: false,
    });
    expect(view.text).not.toContain(res.body.key);
    expect(await authenticateApiKey(db(), res.body.key)).toEqual({ ok: true, affiliateId, keyId: res.body.id });
  });

  it('issues a key with the expiry asked for, and flags one expiring within a week', async () => {
    const affiliateId = await newAffiliate();
    const expiresAt = inDays(3);
    const res = await server.admin.post(keyPath(affiliateId), { expiresAt });
    expect(res.body.expiresAt).toBe(expiresAt);
    expect((await server.admin.get(keyPath(affiliateId))).body).toMatchObject({ expiresAt, expiresSoon: true });
  });

  it.each([
    ['expiresAt', { expiresAt: inDays(-1) }],
    ['expiresAt', { expiresAt: 'next year' }],
    ['graceHours', { graceHours: -1 }],
    ['graceHours', { graceHours: '24' }],
  ])('refuses to issue a key with a bad %s', async (field, body) => {
    const affiliateId = await newAffiliate();
    const res = await server.admin.post(keyPath(affiliateId), body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: `validation.${field}` });
    expect((await server.admin.get(keyPath(affiliateId))).status).toBe(404);
  });

  it('keeps the key itself out of every table and every event', async () => {
    const affiliateId = await newAffiliate();
    const key = await issue(affiliateId);
    await server.admin.post(keyPath(affiliateId, '/reveal'));
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(db());
    const dumps: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await sql`select * from ${sql.table(table_name)}`.execute(db());
      dumps.push(JSON.stringify(rows.rows));
    }
    const everything = dumps.join('\n');
    expect(tables.rows.map((t) => t.table_name)).toEqual(expect.arrayContaining(['events', 'api_keys', 'secrets']));
    expect(everything).toContain(sha256(key));
    expect(everything).not.toContain(key);
  });

  it('reveals the key to an admin, recording the reveal', async () => {
    const affiliateId = await newAffiliate();
    const key = await issue(affiliateId);
    const res = await server.admin.post(keyPath(affiliateId, '/reveal'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ key });
    const revealed = (await readStream(db(), `affiliate-${affiliateId}`)).filter((e) => e.type === 'ApiKeyRevealed');
    expect(revealed.map((e) => e.data)).toEqual([{ keyId: expect.any(String), affiliateId, purpose: 'reveal' }]);
  });

  it('reveals the key to a manager, recording who revealed it', async () => {
    const manager = await createEmployee(
      server.runtime.deps,
      { email: 'manager@example.com', password: 'manager-password-1', role: 'manager' },
      { actor: { kind: 'system', id: 'test' } },
    );
    const session = new HttpSession(server.url);
    await session.login('manager@example.com', 'manager-password-1');
    const affiliateId = await newAffiliate();
    const key = await issue(affiliateId);

    const res = await session.post(keyPath(affiliateId, '/reveal'));
    expect(res.status).toBe(200);
    expect(res.body.key).toBe(key);
    const events = await readStream(db(), `affiliate-${affiliateId}`);
    const revealed = events.find((e) => e.type === 'ApiKeyRevealed')!;
    expect(revealed.metadata.actor).toEqual({ kind: 'employee', id: manager.id });
    expect(revealed.createdAt).toBeInstanceOf(Date);
  });

  it('extends the expiry to any future time', async () => {
    const affiliateId = await newAffiliate();
    await issue(affiliateId, { expiresAt: inDays(2) });
    const expiresAt = inDays(400);
    const res = await server.admin.post(keyPath(affiliateId, '/extend'), { expiresAt });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ prefix: expect.stringMatching(/^lg_/), expiresAt, expiresSoon: false, lastUsedAt: null });
    expect((await server.admin.get(keyPath(affiliateId))).body.expiresAt).toBe(expiresAt);
  });

  it.each([
    ['in the past', { expiresAt: inDays(-1) }],
    ['missing', {}],
    ['not a date', { expiresAt: 42 }],
  ])('refuses an extension with an expiry %s', async (_, body) => {
    const affiliateId = await newAffiliate();
    await issue(affiliateId);
    const res = await server.admin.post(keyPath(affiliateId, '/extend'), body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.expiresAt');
  });

  it('no longer authenticates a revoked key', async () => {
    const affiliateId = await newAffiliate();
    const key = await issue(affiliateId);
    expect((await server.admin.delete(keyPath(affiliateId))).status).toBe(204);
    expect(await authenticateApiKey(db(), key)).toEqual({ ok: false, code: 'auth.invalid_token' });
    expect((await server.admin.get(keyPath(affiliateId))).status).toBe(404);
    expect((await server.admin.delete(keyPath(affiliateId))).status).toBe(404);
  });

  it('answers an expired key as expired', async () => {
    const affiliateId = await newAffiliate();
    const key = await issue(affiliateId);
    await db().updateTable('api_keys').set({ expires_at: new Date(Date.now() - 1000) }).where('affiliate_id', '=', affiliateId).execute();
    expect(await authenticateApiKey(db(), key)).toEqual({ ok: false, code: 'auth.token_expired' });
  });

  it('keeps a replaced key working through the grace period, unless the grace is 0, and revokes both at once', async () => {
    const affiliateId = await newAffiliate();
    const first = await issue(affiliateId);
    const second = await issue(affiliateId);
    expect((await authenticateApiKey(db(), first)).ok).toBe(true);
    expect((await authenticateApiKey(db(), second)).ok).toBe(true);
    expect(await authenticateApiKey(db(), first, new Date(Date.now() + 25 * 3_600_000))).toEqual({ ok: false, code: 'auth.invalid_token' });
    expect((await server.admin.get(keyPath(affiliateId))).body.prefix).toBe(second.slice(0, 9));

    const third = await issue(affiliateId, { graceHours: 0 });
    expect((await authenticateApiKey(db(), first)).ok).toBe(false);
    expect((await authenticateApiKey(db(), second)).ok).toBe(false);
    expect((await authenticateApiKey(db(), third)).ok).toBe(true);

    const fourth = await issue(affiliateId);
    expect((await authenticateApiKey(db(), third)).ok).toBe(true);
    expect((await server.admin.delete(keyPath(affiliateId))).status).toBe(204);
    expect((await authenticateApiKey(db(), third)).ok).toBe(false);
    expect((await authenticateApiKey(db(), fourth)).ok).toBe(false);

    const issued = (await readStream(db(), `affiliate-${affiliateId}`)).filter((e) => e.type === 'ApiKeyIssued');
    expect(issued.map((e) => (e.type === 'ApiKeyIssued' ? e.data.supersededKeyIds.length : -1))).toEqual([0, 1, 2, 1]);
  });

  it('records every change as an event with the acting employee, and never the key', async () => {
    const affiliateId = await newAffiliate();
    const key = await issue(affiliateId);
    await server.admin.post(keyPath(affiliateId, '/reveal'));
    await server.admin.post(keyPath(affiliateId, '/extend'), { expiresAt: inDays(30) });
    await server.admin.delete(keyPath(affiliateId));
    const events = await readStream(db(), `affiliate-${affiliateId}`);
    expect(events.map((e) => e.type)).toEqual(['AffiliateCreated', 'ApiKeyIssued', 'ApiKeyRevealed', 'ApiKeyExtended', 'ApiKeyRevoked']);
    const me = await server.admin.get('/api/auth/me');
    for (const e of events.slice(1)) expect(e.metadata.actor).toEqual({ kind: 'employee', id: me.body.id });
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it('answers 401 without a session', async () => {
    const affiliateId = await newAffiliate();
    const responses = [
      await server.anonymous.post(keyPath(affiliateId)),
      await server.anonymous.get(keyPath(affiliateId)),
      await server.anonymous.post(keyPath(affiliateId, '/reveal')),
      await server.anonymous.post(keyPath(affiliateId, '/extend'), { expiresAt: inDays(30) }),
      await server.anonymous.delete(keyPath(affiliateId)),
    ];
    for (const res of responses) expect(res.body).toMatchObject({ success: false, code: 'auth.unauthenticated' });
    expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
  });

  it('answers 404 for an unknown affiliate, and for an affiliate without a key', async () => {
    const unknown = 'a_nope';
    const responses = [
      await server.admin.post(keyPath(unknown)),
      await server.admin.get(keyPath(unknown)),
      await server.admin.post(keyPath(unknown, '/reveal')),
      await server.admin.post(keyPath(unknown, '/extend'), { expiresAt: inDays(30) }),
      await server.admin.delete(keyPath(unknown)),
    ];
    for (const res of responses) expect(res.body).toMatchObject({ success: false, code: 'not_found' });
    expect(responses.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);

    const keyless = await newAffiliate();
    expect((await server.admin.get(keyPath(keyless))).status).toBe(404);
    expect((await server.admin.post(keyPath(keyless, '/reveal'))).status).toBe(404);
    expect((await server.admin.post(keyPath(keyless, '/extend'), { expiresAt: inDays(30) })).status).toBe(404);
  });
});
