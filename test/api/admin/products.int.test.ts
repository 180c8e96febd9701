import { beforeAll, describe, expect, it } from 'vitest';
import { readStream } from '../../../src/events/readStream.js';
import { startTestServer, type TestServer } from '../../support/testServer.js';

const integration = {
  type: 'leads',
  name: 'Acme CRM',
  request: {
    url: 'https://crm.example.com/api/leads',
    method: 'POST',
    format: 'json',
    headers: { 'X-Api-Key': 'super-secret-crm-key' },
    body: { first_name: '{{firstName}}', email: '{{email}}', source: 'aff-{{affiliateId}}', extra: { tag: '{{sub1}}' } },
  },
  response: { successPath: 'status', successEquals: 'ok', autoLoginUrlPath: 'data.login_url', externalIdPath: 'data.customer_id', errorPath: 'message' },
  timeoutMs: 5000,
  retry: { attempts: 3 },
};

describe('products and their integrations (admin API)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('postgres');
  });

  it('creates, lists, reads and edits a product, with its conversion secret on the single view only', async () => {
    const created = await server.admin.post('/api/admin/products', { name: 'Forex Pro', advertiser: 'Acme Broker' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^p_/), name: 'Forex Pro', advertiser: 'Acme Broker', hasApiIntegration: false });
    expect(created.body.conversionSecret).toMatch(/^cs_/);

    const list = await server.admin.get('/api/admin/products');
    expect(list.body.items.map((p: { id: string }) => p.id)).toContain(created.body.id);
    expect(list.body.items[0]).not.toHaveProperty('conversionSecret');

    const patched = await server.admin.patch(`/api/admin/products/${created.body.id}`, { name: 'Forex Pro 2' });
    expect(patched.body).toMatchObject({ name: 'Forex Pro 2', advertiser: 'Acme Broker' });

    const rotated = await server.admin.post(`/api/admin/products/${created.body.id}/conversion-secret/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.conversionSecret).not.toBe(created.body.conversionSecret);
  });

  it('records every change as an event with the acting employee', async () => {
    const created = await server.admin.post('/api/admin/products', { name: 'Audited' });
    await server.admin.patch(`/api/admin/products/${created.body.id}`, { advertiser: 'X' });
    const events = await readStream(server.runtime.deps.storage.db, `product-${created.body.id}`);
    expect(events.map((e) => e.type)).toEqual(['ProductCreated', 'ProductUpdated']);
    const me = await server.admin.get('/api/auth/me');
    for (const e of events) expect(e.metadata.actor).toEqual({ kind: 'employee', id: me.body.id });
    expect(JSON.stringify(events)).not.toContain(created.body.conversionSecret);
  });

  it('refuses bad product input naming the field', async () => {
    const res = await server.admin.post('/api/admin/products', { name: '' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: 'validation.name' });
    const notJson = await server.admin.post('/api/admin/products', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(notJson.status).toBe(415);
    expect(notJson.body.code).toBe('validation.content_type');
    const malformed = await server.admin.post('/api/admin/products', '{"name":', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('validation.body');
  });

  it('answers 404 for unknown products and integrations', async () => {
    expect((await server.admin.get('/api/admin/products/p_nope')).status).toBe(404);
    expect((await server.admin.patch('/api/admin/products/p_nope', { name: 'x' })).body.code).toBe('not_found');
    expect((await server.admin.get('/api/admin/products/p_nope/integrations')).status).toBe(404);
    const product = await server.admin.post('/api/admin/products', { name: 'P' });
    expect((await server.admin.get(`/api/admin/products/${product.body.id}/integrations/i_nope`)).status).toBe(404);
    expect((await server.admin.delete(`/api/admin/products/${product.body.id}/integrations/i_nope`)).status).toBe(404);
  });

  it('saves an integration with header values masked in every answer and sealed out of the log', async () => {
    const product = await server.admin.post('/api/admin/products', { name: 'With CRM' });
    const created = await server.admin.post(`/api/admin/products/${product.body.id}/integrations`, integration);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^i_/),
      type: 'leads',
      request: { url: integration.request.url, headers: { 'X-Api-Key': '••••' }, format: 'json' },
      retry: { attempts: 3, baseDelayMs: 1000 },
      dedupe: { fields: ['email'], windowDays: 30 },
    });
    expect(created.text).not.toContain('super-secret-crm-key');
    const listed = await server.admin.get(`/api/admin/products/${product.body.id}/integrations`);
    expect(listed.text).not.toContain('super-secret-crm-key');
    expect((await server.admin.get('/api/admin/products')).body.items.find((p: { id: string }) => p.id === product.body.id).hasApiIntegration).toBe(true);

    const events = await readStream(server.runtime.deps.storage.db, `integration-${created.body.id}`);
    expect(JSON.stringify(events)).not.toContain('super-secret-crm-key');
  });

  it('edits an integration partially, keeping masked header values', async () => {
    const product = await server.admin.post('/api/admin/products', { name: 'Edit me' });
    const created = await server.admin.post(`/api/admin/products/${product.body.id}/integrations`, integration);
    const path = `/api/admin/products/${product.body.id}/integrations/${created.body.id}`;
    const edited = await server.admin.patch(path, { name: 'Renamed', request: { headers: { 'X-Api-Key': '••••', 'X-Other': 'two' } } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ name: 'Renamed', request: { url: integration.request.url, headers: { 'X-Api-Key': '••••', 'X-Other': '••••' } } });
    const row = await server.runtime.deps.storage.db.selectFrom('integrations').select('headers_secret_id').where('id', '=', created.body.id).executeTakeFirstOrThrow();
    const headers = JSON.parse(await server.runtime.deps.vault.reveal(server.runtime.deps.storage.db, row.headers_secret_id!));
    expect(headers).toEqual({ 'X-Api-Key': 'super-secret-crm-key', 'X-Other': 'two' });

    expect((await server.admin.delete(path)).status).toBe(204);
    expect((await server.admin.get(path)).status).toBe(404);
  });

  it.each([
    ['request.url', { request: { ...integration.request, url: 'ftp://crm.example.com' } }],
    ['request.body.email', { request: { ...integration.request, body: { email: '{{emial}}' } } }],
    ['request.body.extra', { request: { ...integration.request, format: 'form' } }],
    ['type', { type: 'sms' }],
    ['response.successPath', { response: { successEquals: 'ok' } }],
    ['timeoutMs', { timeoutMs: 10 }],
  ])('refuses an integration with a bad %s', async (field, change) => {
    const product = await server.admin.post('/api/admin/products', { name: 'Bad' });
    const res = await server.admin.post(`/api/admin/products/${product.body.id}/integrations`, { ...integration, ...change });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(`validation.${field}`);
    expect(res.body.error).toContain(field);
  });
});

describe('integration targets when private addresses are not allowed', () => {
  it('refuses a loopback CRM URL but allows the built-in sandbox', async () => {
    const server = await startTestServer('embedded', { ALLOW_PRIVATE_TARGETS: 'false' });
    const product = await server.admin.post('/api/admin/products', { name: 'Private' });
    const path = `/api/admin/products/${product.body.id}/integrations`;
    const local = await server.admin.post(path, { ...integration, request: { ...integration.request, url: 'http://127.0.0.1:9/crm' } });
    expect(local.status).toBe(400);
    expect(local.body.code).toBe('validation.request.url');
    const sandbox = await server.admin.post(path, { ...integration, request: { ...integration.request, url: `${server.url}/sandbox/crm` } });
    expect(sandbox.status).toBe(201);
  });
});

describe('console authentication', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('embedded');
  });

  it('answers 401 without a session and 401 with an unknown token', async () => {
    const res = await server.anonymous.get('/api/admin/products');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ success: false, error: expect.any(String), code: 'auth.unauthenticated' });
    const bad = await server.anonymous.get('/api/admin/products', { authorization: 'Bearer lge_nope' });
    expect(bad.body.code).toBe('auth.invalid_token');
  });

  it('refuses a state-changing session request without the CSRF header', async () => {
    server.admin.sendCsrf = false;
    const res = await server.admin.post('/api/admin/products', { name: 'No CSRF' });
    server.admin.sendCsrf = true;
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.csrf');
  });

  it('sets httpOnly SameSite session cookies and a readable CSRF cookie, rotating at each login', async () => {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password: 'correct-horse-battery' }),
    });
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('lg_session='))!;
    expect(session).toMatch(/httponly/i);
    expect(session).toMatch(/samesite=lax/i);
    expect(cookies.find((c) => c.startsWith('lg_csrf='))).not.toMatch(/httponly/i);
    expect(session).not.toContain(server.admin.cookie('lg_session')!);
  });

  it('locks logins after repeated failures', async () => {
    const s = new (server.anonymous.constructor as typeof import('../../support/http.js').HttpSession)(server.url);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await s.post('/api/auth/login', { email: 'victim@example.com', password: `wrong-${i}` })).status);
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    const locked = await s.post('/api/auth/login', { email: 'victim@example.com', password: 'whatever' });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('logs out', async () => {
    const me = await server.admin.get('/api/auth/me');
    expect(me.body).toMatchObject({ email: 'admin@example.com', role: 'admin', kind: 'employee' });
    expect((await server.admin.post('/api/auth/logout')).status).toBe(204);
    expect((await server.admin.get('/api/auth/me')).status).toBe(401);
  });
});
