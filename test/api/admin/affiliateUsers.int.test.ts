import { beforeAll, describe, expect, it } from 'vitest';
import { readStream } from '../../../src/events/readStream.js';
import { HttpSession } from '../../support/http.js';
import { ADMIN, startTestServer, type TestServer } from '../../support/testServer.js';

const PASSWORD = 'affiliate-password-1';

describe('an affiliate’s console users (admin API)', () => {
  let server: TestServer;
  let affiliateId: string;
  let path: string;
  beforeAll(async () => {
    server = await startTestServer('postgres');
    affiliateId = (await server.admin.post('/api/admin/affiliates', { name: 'Traffic Co', email: 'ops@traffic.example' })).body.id;
    path = `/api/admin/affiliates/${affiliateId}/users`;
  });

  function expectNoPassword(res: { text: string }) {
    expect(res.text).not.toContain(PASSWORD);
    expect(res.text).not.toMatch(/password|scrypt\$/i);
  }

  it('creates and lists users without their password or its hash', async () => {
    const created = await server.admin.post(path, { email: 'anna@traffic.example', password: PASSWORD });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^u_/), affiliateId, email: 'anna@traffic.example', createdAt: expect.any(String) });
    expectNoPassword(created);

    const list = await server.admin.get(path);
    expect(list.body.items).toContainEqual(created.body);
    expectNoPassword(list);
  });

  it('lets the user log in as role affiliate of its affiliate', async () => {
    await server.admin.post(path, { email: 'ben@traffic.example', password: PASSWORD });
    const user = new HttpSession(server.url);
    await user.login('ben@traffic.example', PASSWORD);
    const me = await user.get('/api/auth/me');
    expect(me.body).toMatchObject({ email: 'ben@traffic.example', role: 'affiliate', kind: 'affiliate_user', affiliateId });
  });

  it('forbids an affiliate user every admin endpoint: users, products and affiliates', async () => {
    await server.admin.post(path, { email: 'cleo@traffic.example', password: PASSWORD });
    const user = new HttpSession(server.url);
    await user.login('cleo@traffic.example', PASSWORD);
    const victim = (await server.admin.post(path, { email: 'victim@traffic.example', password: PASSWORD })).body.id;
    const answers = [
      await user.get(path),
      await user.post(path, { email: 'sneaky@traffic.example', password: PASSWORD }),
      await user.delete(`${path}/${victim}`),
      await user.get('/api/admin/products'),
      await user.post('/api/admin/products', { name: 'Sneaky product' }),
      await user.get('/api/admin/affiliates'),
      await user.post('/api/admin/affiliates', { name: 'Sneaky', email: 'sneaky@example.com' }),
      await user.get(`/api/admin/affiliates/${affiliateId}`),
    ];
    for (const res of answers) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('auth.forbidden');
    }
    expect((await server.admin.get(path)).body.items.map((u: { id: string }) => u.id)).toContain(victim);
    expect((await server.admin.get('/api/admin/products')).body.items).toEqual([]);
  });

  it('deletes a user, who can then neither use a session nor log in again', async () => {
    const created = await server.admin.post(path, { email: 'dan@traffic.example', password: PASSWORD });
    const user = new HttpSession(server.url);
    await user.login('dan@traffic.example', PASSWORD);

    const deleted = await server.admin.delete(`${path}/${created.body.id}`);
    expect(deleted.status).toBe(204);
    expect((await server.admin.get(path)).body.items.map((u: { id: string }) => u.id)).not.toContain(created.body.id);
    expect((await user.get('/api/auth/me')).status).toBe(401);
    expect((await new HttpSession(server.url).post('/api/auth/login', { email: 'dan@traffic.example', password: PASSWORD })).status).toBe(401);
  });

  it('records creation and deletion on the affiliate’s stream with the acting employee, never the password', async () => {
    const created = await server.admin.post(path, { email: 'eve@traffic.example', password: PASSWORD });
    await server.admin.delete(`${path}/${created.body.id}`);
    const events = (await readStream(server.runtime.deps.storage.db, `affiliate-${affiliateId}`)).filter(
      (e) => (e.type === 'AffiliateUserCreated' || e.type === 'AffiliateUserDeleted') && e.data.userId === created.body.id,
    );
    expect(events.map((e) => e.type)).toEqual(['AffiliateUserCreated', 'AffiliateUserDeleted']);
    const me = await server.admin.get('/api/auth/me');
    for (const e of events) expect(e.metadata.actor).toEqual({ kind: 'employee', id: me.body.id });
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it('refuses an email already used by an employee or another affiliate user, whatever its case', async () => {
    const employee = await server.admin.post(path, { email: ADMIN.email.toUpperCase(), password: PASSWORD });
    expect(employee.status).toBe(409);
    expect(employee.body.code).toBe('validation.email');
    await server.admin.post(path, { email: 'fay@traffic.example', password: PASSWORD });
    const other = (await server.admin.post('/api/admin/affiliates', { name: 'Other', email: 'other@traffic.example' })).body.id;
    const taken = await server.admin.post(`/api/admin/affiliates/${other}/users`, { email: 'Fay@Traffic.example', password: PASSWORD });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('validation.email');
  });

  it.each([
    ['email', { email: 'not-an-email', password: PASSWORD }],
    ['email', { password: PASSWORD }],
    ['password', { email: 'short@traffic.example', password: 'seven77' }],
    ['password', { email: 'none@traffic.example' }],
  ])('refuses a user with a bad %s, naming the field', async (field, body) => {
    const res = await server.admin.post(path, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: `validation.${field}` });
    if ('password' in body) expect(res.text).not.toContain(body.password);
  });

  it('answers 404 for an unknown affiliate, an unknown user and another affiliate’s user', async () => {
    expect((await server.admin.get('/api/admin/affiliates/a_nope/users')).status).toBe(404);
    expect((await server.admin.post('/api/admin/affiliates/a_nope/users', { email: 'x@traffic.example', password: PASSWORD })).status).toBe(404);
    expect((await server.admin.delete('/api/admin/affiliates/a_nope/users/u_nope')).status).toBe(404);
    const unknown = await server.admin.delete(`${path}/u_nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');

    const other = (await server.admin.post('/api/admin/affiliates', { name: 'Another', email: 'another@traffic.example' })).body.id;
    const theirs = (await server.admin.post(`/api/admin/affiliates/${other}/users`, { email: 'gus@traffic.example', password: PASSWORD })).body.id;
    expect((await server.admin.delete(`${path}/${theirs}`)).status).toBe(404);
    expect((await server.admin.get(`/api/admin/affiliates/${other}/users`)).body.items.map((u: { id: string }) => u.id)).toContain(theirs);
  });

  it('answers 401 without a session', async () => {
    for (const res of [
      await server.anonymous.get(path),
      await server.anonymous.post(path, { email: 'anon@traffic.example', password: PASSWORD }),
      await server.anonymous.delete(`${path}/u_any`),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.unauthenticated');
    }
  });
});
