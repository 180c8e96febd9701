import { beforeAll, describe, expect, it } from 'vitest';
import { readStream } from '../../../src/events/readStream.js';
import { HttpSession } from '../../support/http.js';
import { startTestServer, type TestServer } from '../../support/testServer.js';

describe('an affiliate’s campaigns (admin API)', () => {
  let server: TestServer;
  let affiliateId: string;
  let productId: string;
  let path: string;
  beforeAll(async () => {
    server = await startTestServer('postgres');
    affiliateId = (await server.admin.post('/api/admin/affiliates', { name: 'Traffic Co', email: 'ops@traffic.example' })).body.id;
    productId = (await server.admin.post('/api/admin/products', { name: 'Forex Pro' })).body.id;
    path = `/api/admin/affiliates/${affiliateId}/campaigns`;
  });

  it('creates a campaign for a product and lists it under its affiliate only', async () => {
    const created = await server.admin.post(path, { name: 'Spring push', productId });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^c_/), affiliateId, productId, name: 'Spring push', createdAt: expect.any(String) });

    const list = await server.admin.get(path);
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(created.body);

    const other = (await server.admin.post('/api/admin/affiliates', { name: 'Other', email: 'other@traffic.example' })).body.id;
    expect((await server.admin.get(`/api/admin/affiliates/${other}/campaigns`)).body).toEqual({ items: [] });
  });

  it('records the campaign on the affiliate’s stream with the acting employee', async () => {
    const created = await server.admin.post(path, { name: 'Audited', productId });
    const events = await readStream(server.runtime.deps.storage.db, `affiliate-${affiliateId}`);
    const recorded = events.find((e) => e.type === 'CampaignCreated' && e.data.campaignId === created.body.id);
    expect(recorded?.data).toEqual({ campaignId: created.body.id, affiliateId, productId, name: 'Audited' });
    const me = await server.admin.get('/api/auth/me');
    expect(recorded?.metadata.actor).toEqual({ kind: 'employee', id: me.body.id });
  });

  it.each([
    ['name', { name: '', productId: 'p_any' }],
    ['name', { productId: 'p_any' }],
    ['productId', { name: 'No product' }],
    ['productId', { name: 'Unknown product', productId: 'p_nope' }],
  ])('refuses a campaign with a bad %s, naming the field', async (field, body) => {
    const res = await server.admin.post(path, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: `validation.${field}` });
  });

  it('answers 404 for an unknown affiliate', async () => {
    const list = await server.admin.get('/api/admin/affiliates/a_nope/campaigns');
    expect(list.status).toBe(404);
    expect(list.body.code).toBe('not_found');
    expect((await server.admin.post('/api/admin/affiliates/a_nope/campaigns', { name: 'X', productId })).status).toBe(404);
  });

  it('answers 401 without a session', async () => {
    expect((await server.anonymous.get(path)).body.code).toBe('auth.unauthenticated');
    const res = await server.anonymous.post(path, { name: 'X', productId });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('auth.unauthenticated');
  });

  it('forbids an affiliate user, even for its own affiliate', async () => {
    await server.admin.post(`/api/admin/affiliates/${affiliateId}/users`, { email: 'me@traffic.example', password: 'affiliate-pass' });
    const user = new HttpSession(server.url);
    await user.login('me@traffic.example', 'affiliate-pass');
    for (const res of [await user.get(path), await user.post(path, { name: 'Mine', productId })]) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('auth.forbidden');
    }
    expect((await server.admin.get(path)).body.items.map((c: { name: string }) => c.name)).not.toContain('Mine');
  });
});
