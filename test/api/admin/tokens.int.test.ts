import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { readStream } from '../../../src/events/readStream.js';
import { HttpSession } from '../../support/http.js';
import { startTestServer, type TestServer } from '../../support/testServer.js';

const MANAGER = { email: 'manager@leadgate.example', password: 'manager-password-1' };

describe('employee API tokens (admin API)', () => {
  let server: TestServer;
  let adminId: string;
  let manager: HttpSession;
  beforeAll(async () => {
    server = await startTestServer('postgres');
    adminId = (await server.admin.get('/api/auth/me')).body.id;
    await server.admin.post('/api/admin/employees', { ...MANAGER, role: 'manager' });
    manager = new HttpSession(server.url);
    await manager.login(MANAGER.email, MANAGER.password);
  });

  /** Every row of every public table, as one JSON text. */
  async function dumpDatabase(): Promise<string> {
    const db = server.runtime.deps.storage.db;
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(db);
    const dump: Record<string, unknown[]> = {};
    for (const { table_name } of tables.rows) dump[table_name] = (await sql`select * from ${sql.table(table_name)}`.execute(db)).rows;
    return JSON.stringify(dump);
  }

  it('creates a token shown once, then lists it without the token', async () => {
    const created = await server.admin.post('/api/admin/tokens', { name: 'CI export' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      token: expect.stringMatching(/^lge_/),
      name: 'CI export',
      prefix: expect.stringMatching(/^lge_/),
      createdAt: expect.any(String),
    });
    expect(created.body.token.startsWith(created.body.prefix)).toBe(true);
    expect(created.headers.get('cache-control')).toBe('no-store');

    const list = await server.admin.get('/api/admin/tokens');
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual({ id: created.body.id, name: 'CI export', prefix: created.body.prefix, createdAt: created.body.createdAt, revokedAt: null });
    expect(list.text).not.toContain(created.body.token);
  });

  it('authenticates a state-changing request by the token alone, without CSRF, as its employee', async () => {
    const { token } = (await server.admin.post('/api/admin/tokens', { name: 'automation' })).body;
    const client = HttpSession.withToken(server.url, token);
    const product = await client.post('/api/admin/products', { name: 'Made by a token' });
    expect(product.status).toBe(201);
    const events = await readStream(server.runtime.deps.storage.db, `product-${product.body.id}`);
    expect(events[0]!.metadata.actor).toEqual({ kind: 'employee', id: adminId });
  });

  it('revokes a token, which then answers 401 auth.invalid_token', async () => {
    const created = (await server.admin.post('/api/admin/tokens', { name: 'short-lived' })).body;
    const client = HttpSession.withToken(server.url, created.token);
    expect((await client.get('/api/admin/products')).status).toBe(200);

    const revoked = await server.admin.delete(`/api/admin/tokens/${created.id}`);
    expect(revoked.status).toBe(204);
    for (const res of [await client.get('/api/admin/products'), await client.post('/api/admin/products', { name: 'Too late' })]) {
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ success: false, code: 'auth.invalid_token' });
    }
    const listed = (await server.admin.get('/api/admin/tokens')).body.items.find((t: { id: string }) => t.id === created.id);
    expect(listed.revokedAt).toEqual(expect.any(String));
    expect((await server.admin.delete(`/api/admin/tokens/${created.id}`)).status).toBe(204);
  });

  it('records creation and revocation on the employee’s stream with the acting employee', async () => {
    const created = (await server.admin.post('/api/admin/tokens', { name: 'audited' })).body;
    await server.admin.delete(`/api/admin/tokens/${created.id}`);
    await server.admin.delete(`/api/admin/tokens/${created.id}`);
    const events = (await readStream(server.runtime.deps.storage.db, `employee-${adminId}`)).filter(
      (e) => (e.type === 'EmployeeTokenCreated' || e.type === 'EmployeeTokenRevoked') && e.data.tokenId === created.id,
    );
    expect(events.map((e) => e.type)).toEqual(['EmployeeTokenCreated', 'EmployeeTokenRevoked']);
    for (const e of events) expect(e.metadata.actor).toEqual({ kind: 'employee', id: adminId });
  });

  it('keeps the plaintext token out of every table and every event', async () => {
    const { token } = (await server.admin.post('/api/admin/tokens', { name: 'never stored' })).body;
    expect((await HttpSession.withToken(server.url, token).get('/api/admin/tokens')).status).toBe(200);
    const dump = await dumpDatabase();
    expect(dump).toContain(token.slice(0, 10));
    expect(dump).toContain('EmployeeTokenCreated');
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(token.slice(4));
  });

  it('lets a manager manage its own tokens and shows each employee only its own', async () => {
    const mine = (await manager.post('/api/admin/tokens', { name: 'manager token' })).body;
    expect(mine.token).toMatch(/^lge_/);
    const managerIds = (await manager.get('/api/admin/tokens')).body.items.map((t: { id: string }) => t.id);
    expect(managerIds).toEqual([mine.id]);
    expect((await server.admin.get('/api/admin/tokens')).body.items.map((t: { id: string }) => t.id)).not.toContain(mine.id);
    const me = (await HttpSession.withToken(server.url, mine.token).get('/api/admin/tokens')).body.items.map((t: { id: string }) => t.id);
    expect(me).toEqual([mine.id]);
  });

  it('answers 404 for an unknown token and for another employee’s token, which keeps working', async () => {
    const unknown = await server.admin.delete('/api/admin/tokens/et_nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');

    const theirs = (await server.admin.post('/api/admin/tokens', { name: 'admin only' })).body;
    expect((await manager.delete(`/api/admin/tokens/${theirs.id}`)).status).toBe(404);
    expect((await HttpSession.withToken(server.url, theirs.token).get('/api/admin/products')).status).toBe(200);
  });

  it.each([
    ['name', {}],
    ['name', { name: '   ' }],
    ['name', { name: 'x'.repeat(201) }],
  ])('refuses a token with a bad %s, naming the field', async (field, body) => {
    const res = await server.admin.post('/api/admin/tokens', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: `validation.${field}` });
    expect(res.body.error).toContain(field);
  });

  it('answers 401 without a session', async () => {
    for (const res of [
      await server.anonymous.get('/api/admin/tokens'),
      await server.anonymous.post('/api/admin/tokens', { name: 'anonymous' }),
      await server.anonymous.delete('/api/admin/tokens/et_any'),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.unauthenticated');
    }
  });
});
