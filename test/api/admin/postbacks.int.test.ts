import { beforeAll, describe, expect, it } from 'vitest';
import { readStream } from '../../../src/events/readStream.js';
import { HttpSession } from '../../support/http.js';
import { startTestServer, type TestServer } from '../../support/testServer.js';

const MANAGER = { email: 'manager@leadgate.example', password: 'manager-password-1' };
const URL_WITH_MACROS = 'https://tracker.example.com/pb?cid={click_id}&amount={amount}&s1={sub1}';

let server: TestServer;
let adminId: string;
beforeAll(async () => {
  server = await startTestServer('postgres');
  adminId = (await server.admin.get('/api/auth/me')).body.id;
});

async function newAffiliate(name: string): Promise<string> {
  const email = `ops@${name.toLowerCase().replace(/\W+/g, '-')}.example`;
  return (await server.admin.post('/api/admin/affiliates', { name, email })).body.id;
}

describe('an affiliate’s postbacks (admin API)', () => {
  let affiliateId: string;
  let path: string;
  beforeAll(async () => {
    affiliateId = await newAffiliate('Traffic Co');
    path = `/api/admin/affiliates/${affiliateId}/postbacks`;
  });

  it('configures a GET postback by default, with its macros as written, and lists it', async () => {
    const created = await server.admin.post(path, { event: 'lead', url: URL_WITH_MACROS });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^pb_/),
      affiliateId,
      event: 'lead',
      url: URL_WITH_MACROS,
      method: 'GET',
      productId: null,
      createdAt: expect.any(String),
    });
    const list = await server.admin.get(path);
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(created.body);
  });

  it('configures a POST postback for one product', async () => {
    const productId = (await server.admin.post('/api/admin/products', { name: 'Forex Pro' })).body.id;
    const created = await server.admin.post(path, { event: 'ftd', url: 'https://tracker.example.com/ftd', method: 'POST', productId });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ event: 'ftd', method: 'POST', productId });
  });

  it('keeps an unknown macro as written', async () => {
    const url = 'https://tracker.example.com/pb?x={no_such_macro}&cid={click_id}';
    const created = await server.admin.post(path, { event: 'signup', url });
    expect(created.status).toBe(201);
    expect(created.body.url).toBe(url);
  });

  it('removes a postback', async () => {
    const created = await server.admin.post(path, { event: 'deposit', url: 'https://tracker.example.com/deposit' });
    const removed = await server.admin.delete(`${path}/${created.body.id}`);
    expect(removed.status).toBe(204);
    expect((await server.admin.get(path)).body.items.map((p: { id: string }) => p.id)).not.toContain(created.body.id);
    expect((await server.admin.delete(`${path}/${created.body.id}`)).status).toBe(404);
  });

  it('records configuration and removal on the affiliate’s stream with the acting employee', async () => {
    const created = await server.admin.post(path, { event: 'lead', url: 'https://tracker.example.com/audited' });
    await server.admin.delete(`${path}/${created.body.id}`);
    const events = (await readStream(server.runtime.deps.storage.db, `affiliate-${affiliateId}`)).filter(
      (e) => (e.type === 'PostbackConfigured' || e.type === 'PostbackRemoved') && e.data.postbackId === created.body.id,
    );
    expect(events.map((e) => e.type)).toEqual(['PostbackConfigured', 'PostbackRemoved']);
    expect(events[0]!.data).toMatchObject({ url: 'https://tracker.example.com/audited', method: 'GET', productId: null });
    for (const e of events) expect(e.metadata.actor).toEqual({ kind: 'employee', id: adminId });
  });

  it.each([
    ['event', { event: 'chargeback', url: 'https://tracker.example.com/pb' }],
    ['event', { url: 'https://tracker.example.com/pb' }],
    ['url', { event: 'lead' }],
    ['url', { event: 'lead', url: '' }],
    ['url', { event: 'lead', url: 'ftp://tracker.example.com/pb' }],
    ['url', { event: 'lead', url: 'not a url {click_id}' }],
    ['url', { event: 'lead', url: '{scheme}://tracker.example.com/pb' }],
    ['url', { event: 'lead', url: 'https://user:pass@tracker.example.com/pb' }],
    ['method', { event: 'lead', url: 'https://tracker.example.com/pb', method: 'PUT' }],
    ['productId', { event: 'lead', url: 'https://tracker.example.com/pb', productId: 'p_nope' }],
    ['productId', { event: 'lead', url: 'https://tracker.example.com/pb', productId: '' }],
  ])('refuses a postback with a bad %s, naming the field', async (field, body) => {
    const before = (await server.admin.get(path)).body.items.length;
    const res = await server.admin.post(path, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: `validation.${field}` });
    expect(res.body.error).toContain(field);
    expect((await server.admin.get(path)).body.items).toHaveLength(before);
  });

  it('answers 404 for an unknown affiliate, an unknown postback and another affiliate’s postback', async () => {
    for (const res of [
      await server.admin.get('/api/admin/affiliates/a_nope/postbacks'),
      await server.admin.post('/api/admin/affiliates/a_nope/postbacks', { event: 'lead', url: 'https://tracker.example.com/pb' }),
      await server.admin.delete('/api/admin/affiliates/a_nope/postbacks/pb_nope'),
      await server.admin.delete(`${path}/pb_nope`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    const other = await newAffiliate('Other');
    const theirs = (await server.admin.post(`/api/admin/affiliates/${other}/postbacks`, { event: 'lead', url: 'https://other.example.com/pb' })).body.id;
    expect((await server.admin.delete(`${path}/${theirs}`)).status).toBe(404);
    expect((await server.admin.get(`/api/admin/affiliates/${other}/postbacks`)).body.items.map((p: { id: string }) => p.id)).toContain(theirs);
  });

  it('answers 401 without a session', async () => {
    for (const res of [
      await server.anonymous.get(path),
      await server.anonymous.post(path, { event: 'lead', url: 'https://tracker.example.com/pb' }),
      await server.anonymous.delete(`${path}/pb_any`),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.unauthenticated');
    }
  });
});

describe('an affiliate’s postback signing secret (admin API)', () => {
  let affiliateId: string;
  let path: string;
  beforeAll(async () => {
    affiliateId = await newAffiliate('Signed Co');
    path = `/api/admin/affiliates/${affiliateId}/postback-secret`;
  });

  async function allEvents(): Promise<string> {
    return JSON.stringify(await server.runtime.deps.storage.db.selectFrom('events').selectAll().execute());
  }

  it('reveals a Standard Webhooks secret, the same at each read', async () => {
    const first = await server.admin.get(path);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/) });
    expect(Buffer.from(first.body.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect((await server.admin.get(path)).body.secret).toBe(first.body.secret);
  });

  it('rotates the secret: the new one replaces the old, and neither reaches the log', async () => {
    const before = (await server.admin.get(path)).body.secret;
    const rotated = await server.admin.post(`${path}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ secret: expect.stringMatching(/^whsec_/) });
    expect(rotated.body.secret).not.toBe(before);
    expect((await server.admin.get(path)).body.secret).toBe(rotated.body.secret);

    const log = await allEvents();
    expect(log).toContain('PostbackSecretRotated');
    expect(log).not.toContain(before);
    expect(log).not.toContain(rotated.body.secret);
    expect(log).not.toContain(rotated.body.secret.slice('whsec_'.length));
  });

  it('records every reveal and rotation with the acting employee', async () => {
    const streamId = `affiliate-${affiliateId}`;
    const countBefore = (await readStream(server.runtime.deps.storage.db, streamId)).length;
    await server.admin.get(path);
    await server.admin.post(`${path}/rotate`);
    const events = (await readStream(server.runtime.deps.storage.db, streamId)).slice(countBefore);
    expect(events.map((e) => e.type)).toEqual(['PostbackSecretRevealed', 'PostbackSecretRotated']);
    for (const e of events) expect(e.metadata.actor).toEqual({ kind: 'employee', id: adminId });
  });

  it('lets a manager reveal and rotate it', async () => {
    await server.admin.post('/api/admin/employees', { ...MANAGER, role: 'manager' });
    const manager = new HttpSession(server.url);
    await manager.login(MANAGER.email, MANAGER.password);
    const managerId = (await manager.get('/api/auth/me')).body.id;
    expect((await manager.get(path)).body.secret).toMatch(/^whsec_/);
    const rotated = await manager.post(`${path}/rotate`);
    expect(rotated.status).toBe(200);
    expect((await server.admin.get(path)).body.secret).toBe(rotated.body.secret);
    const rotations = (await readStream(server.runtime.deps.storage.db, `affiliate-${affiliateId}`)).filter((e) => e.type === 'PostbackSecretRotated');
    expect(rotations.at(-1)!.metadata.actor).toEqual({ kind: 'employee', id: managerId });
  });

  it('answers 404 for an unknown affiliate, recording nothing', async () => {
    const before = await allEvents();
    for (const res of [await server.admin.get('/api/admin/affiliates/a_nope/postback-secret'), await server.admin.post('/api/admin/affiliates/a_nope/postback-secret/rotate')]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    expect((await readStream(server.runtime.deps.storage.db, 'affiliate-a_nope'))).toEqual([]);
    expect(await allEvents()).toBe(before);
  });

  it('answers 401 without a session', async () => {
    for (const res of [await server.anonymous.get(path), await server.anonymous.post(`${path}/rotate`)]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.unauthenticated');
    }
  });
});

describe('postback targets when private addresses are not allowed', () => {
  it('refuses a loopback or private postback URL with a message saying why', async () => {
    const strict = await startTestServer('postgres', { ALLOW_PRIVATE_TARGETS: 'false' });
    const affiliateId = (await strict.admin.post('/api/admin/affiliates', { name: 'Private', email: 'ops@private.example' })).body.id;
    const path = `/api/admin/affiliates/${affiliateId}/postbacks`;
    for (const url of ['http://127.0.0.1:9/pb?cid={click_id}', 'http://localhost/pb', 'http://10.0.0.5/pb', 'http://[::1]/pb']) {
      const res = await strict.admin.post(path, { event: 'lead', url });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation.url');
      expect(res.body.error).toMatch(/private/);
    }
    expect((await strict.admin.post(path, { event: 'lead', url: 'https://tracker.example.com/pb?cid={click_id}' })).status).toBe(201);
  });
});
