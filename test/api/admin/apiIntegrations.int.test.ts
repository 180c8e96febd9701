import { beforeAll, describe, expect, it } from 'vitest';
import { readStream } from '../../../src/events/readStream.js';
import { HttpSession } from '../../support/http.js';
import { startTestServer, type TestServer } from '../../support/testServer.js';

const integration = {
  type: 'leads',
  name: 'Acme CRM',
  request: {
    url: 'https://crm.example.com/api/leads',
    method: 'POST',
    format: 'json',
    body: { email: '{{email}}', partner: '{{params.partnerCode}}' },
  },
  response: { successPath: 'status', successEquals: 'ok' },
};

describe('product integrations enabled for an affiliate (admin API)', () => {
  let server: TestServer;
  let productId: string;

  async function newIntegration(name = 'Acme CRM'): Promise<string> {
    return (await server.admin.post(`/api/admin/products/${productId}/integrations`, { ...integration, name })).body.id;
  }
  async function newAffiliate(name = 'Traffic Co'): Promise<{ affiliateId: string; path: string }> {
    const affiliateId = (await server.admin.post('/api/admin/affiliates', { name, email: `${name.replace(/\W/g, '')}@traffic.example` })).body.id;
    return { affiliateId, path: `/api/admin/affiliates/${affiliateId}/api-integrations` };
  }

  beforeAll(async () => {
    server = await startTestServer('postgres');
    productId = (await server.admin.post('/api/admin/products', { name: 'Forex Pro' })).body.id;
  });

  it('enables an integration with every setting at its default: enabled, all countries, no cap, no params', async () => {
    const integrationId = await newIntegration();
    const { affiliateId, path } = await newAffiliate();
    const created = await server.admin.post(path, { integrationId });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^ai_/),
      affiliateId,
      integrationId,
      productId,
      integrationName: 'Acme CRM',
      enabled: true,
      allowedCountries: null,
      dailyCap: null,
      params: {},
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await server.admin.get(path)).body).toEqual({ items: [created.body] });
  });

  it('enables an integration with upper-cased, de-duplicated countries, a daily cap and params', async () => {
    const integrationId = await newIntegration();
    const { path } = await newAffiliate('Settings');
    const created = await server.admin.post(path, {
      integrationId,
      enabled: false,
      allowedCountries: ['de', ' FR ', 'DE'],
      dailyCap: 100,
      params: { partnerCode: 'X-42' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ enabled: false, allowedCountries: ['DE', 'FR'], dailyCap: 100, params: { partnerCode: 'X-42' } });
  });

  it('refuses to enable the same integration twice for one affiliate, but allows it for another', async () => {
    const integrationId = await newIntegration();
    const { path } = await newAffiliate('Twice');
    expect((await server.admin.post(path, { integrationId })).status).toBe(201);
    const again = await server.admin.post(path, { integrationId, dailyCap: 5 });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ success: false, code: 'duplicate' });
    const other = await newAffiliate('Another');
    expect((await server.admin.post(other.path, { integrationId })).status).toBe(201);
  });

  it('edits only the settings sent, and clears countries and cap with null', async () => {
    const integrationId = await newIntegration();
    const { path } = await newAffiliate('Edited');
    const created = await server.admin.post(path, { integrationId, allowedCountries: ['GB'], dailyCap: 10, params: { partnerCode: 'A' } });
    const item = `${path}/${created.body.id}`;

    const disabled = await server.admin.patch(item, { enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: created.body.id, enabled: false, allowedCountries: ['GB'], dailyCap: 10, params: { partnerCode: 'A' } });

    const cleared = await server.admin.patch(item, { allowedCountries: null, dailyCap: null, params: { partnerCode: 'B', other: 'c' } });
    expect(cleared.body).toMatchObject({ enabled: false, allowedCountries: null, dailyCap: null, params: { partnerCode: 'B', other: 'c' } });
    expect(cleared.body.createdAt).toBe(created.body.createdAt);
    expect((await server.admin.get(path)).body.items).toEqual([cleared.body]);
  });

  it('removes an enabled integration, which can then be enabled again', async () => {
    const integrationId = await newIntegration();
    const { path } = await newAffiliate('Removed');
    const created = await server.admin.post(path, { integrationId });
    const removed = await server.admin.delete(`${path}/${created.body.id}`);
    expect(removed.status).toBe(204);
    expect((await server.admin.get(path)).body).toEqual({ items: [] });
    expect((await server.admin.post(path, { integrationId })).status).toBe(201);
  });

  it('records every change on the affiliate’s stream with the acting employee', async () => {
    const integrationId = await newIntegration();
    const { affiliateId, path } = await newAffiliate('Audited');
    const created = await server.admin.post(path, { integrationId, allowedCountries: ['us'] });
    await server.admin.patch(`${path}/${created.body.id}`, { dailyCap: 3 });
    await server.admin.delete(`${path}/${created.body.id}`);

    const events = (await readStream(server.runtime.deps.storage.db, `affiliate-${affiliateId}`)).filter((e) => e.type.startsWith('ApiIntegration'));
    expect(events.map((e) => e.type)).toEqual(['ApiIntegrationAdded', 'ApiIntegrationUpdated', 'ApiIntegrationRemoved']);
    expect(events[1]!.data).toEqual({
      apiIntegrationId: created.body.id,
      affiliateId,
      integrationId,
      productId,
      enabled: true,
      allowedCountries: ['US'],
      dailyCap: 3,
      params: {},
    });
    const me = await server.admin.get('/api/auth/me');
    for (const e of events) expect(e.metadata.actor).toEqual({ kind: 'employee', id: me.body.id });
  });

  it('refuses an unknown or deleted integration as a bad integrationId', async () => {
    const { path } = await newAffiliate('Unknown');
    for (const body of [{}, { integrationId: '' }, { integrationId: 'i_nope' }]) {
      const res = await server.admin.post(path, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation.integrationId');
    }
    const deleted = await newIntegration('Deleted');
    await server.admin.delete(`/api/admin/products/${productId}/integrations/${deleted}`);
    expect((await server.admin.post(path, { integrationId: deleted })).body.code).toBe('validation.integrationId');
  });

  it.each([
    ['allowedCountries', { allowedCountries: ['ZZ'] }],
    ['allowedCountries', { allowedCountries: ['DEU'] }],
    ['allowedCountries', { allowedCountries: [] }],
    ['allowedCountries', { allowedCountries: 'DE' }],
    ['dailyCap', { dailyCap: 0 }],
    ['dailyCap', { dailyCap: 2.5 }],
    ['dailyCap', { dailyCap: '10' }],
    ['enabled', { enabled: 'yes' }],
    ['params', { params: { 'bad name': 'x' } }],
    ['params.partnerCode', { params: { partnerCode: 42 } }],
  ])('refuses a bad %s when enabling and when editing, naming the field', async (field, change) => {
    const integrationId = await newIntegration();
    const { path } = await newAffiliate(`Bad ${field}`);
    const created = await server.admin.post(path, { integrationId, ...change });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject({ success: false, code: `validation.${field}` });

    const ok = await server.admin.post(path, { integrationId });
    const edited = await server.admin.patch(`${path}/${ok.body.id}`, change);
    expect(edited.status).toBe(400);
    expect(edited.body.code).toBe(`validation.${field}`);
  });

  it('refuses an edit that changes nothing', async () => {
    const integrationId = await newIntegration();
    const { path } = await newAffiliate('Empty edit');
    const created = await server.admin.post(path, { integrationId });
    const res = await server.admin.patch(`${path}/${created.body.id}`, {});
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.body');
  });

  it('answers 404 for an unknown affiliate, an unknown api-integration and another affiliate’s', async () => {
    const integrationId = await newIntegration();
    expect((await server.admin.get('/api/admin/affiliates/a_nope/api-integrations')).status).toBe(404);
    expect((await server.admin.post('/api/admin/affiliates/a_nope/api-integrations', { integrationId })).status).toBe(404);
    expect((await server.admin.patch('/api/admin/affiliates/a_nope/api-integrations/ai_nope', { enabled: false })).status).toBe(404);
    expect((await server.admin.delete('/api/admin/affiliates/a_nope/api-integrations/ai_nope')).status).toBe(404);

    const { path } = await newAffiliate('Mine');
    const unknown = await server.admin.patch(`${path}/ai_nope`, { enabled: false });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
    expect((await server.admin.delete(`${path}/ai_nope`)).status).toBe(404);

    const theirs = await newAffiliate('Theirs');
    const their = (await server.admin.post(theirs.path, { integrationId })).body.id;
    expect((await server.admin.patch(`${path}/${their}`, { enabled: false })).status).toBe(404);
    expect((await server.admin.delete(`${path}/${their}`)).status).toBe(404);
    expect((await server.admin.get(theirs.path)).body.items[0]).toMatchObject({ id: their, enabled: true });
  });

  it('answers 401 without a session', async () => {
    const { path } = await newAffiliate('Anonymous');
    for (const res of [
      await server.anonymous.get(path),
      await server.anonymous.post(path, { integrationId: 'i_any' }),
      await server.anonymous.patch(`${path}/ai_any`, { enabled: false }),
      await server.anonymous.delete(`${path}/ai_any`),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.unauthenticated');
    }
  });

  it('forbids an affiliate user, even for its own affiliate', async () => {
    const integrationId = await newIntegration();
    const { affiliateId, path } = await newAffiliate('Self service');
    const created = (await server.admin.post(path, { integrationId })).body.id;
    await server.admin.post(`/api/admin/affiliates/${affiliateId}/users`, { email: 'me@selfservice.example', password: 'affiliate-pass' });
    const user = new HttpSession(server.url);
    await user.login('me@selfservice.example', 'affiliate-pass');
    for (const res of [
      await user.get(path),
      await user.post(path, { integrationId: await newIntegration() }),
      await user.patch(`${path}/${created}`, { dailyCap: 1_000_000 }),
      await user.delete(`${path}/${created}`),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('auth.forbidden');
    }
    expect((await server.admin.get(path)).body.items).toMatchObject([{ id: created, dailyCap: null }]);
  });
});
