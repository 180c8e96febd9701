import { beforeAll, describe, expect, it } from 'vitest';
import { readStream } from '../../../src/events/readStream.js';
import { startFakeCrm } from '../../support/fakeCrm.js';
import { setupAffiliate, type AffiliateSetup } from '../../support/fixtures.js';
import { HttpSession } from '../../support/http.js';
import { startTestServer, type TestServer } from '../../support/testServer.js';

describe('testing an integration from the console', () => {
  let server: TestServer;
  let crm: Awaited<ReturnType<typeof startFakeCrm>>;
  let aff: AffiliateSetup;

  beforeAll(async () => {
    server = await startTestServer('postgres', { SYNC_WINDOW_MS: '5000' });
    crm = await startFakeCrm((call) => (String(call.json?.email).includes('+reject') ? { body: { status: 'error', message: 'Country not served' } } : {}));
    aff = await setupAffiliate(server, { crmUrl: crm.url });
  });

  const path = () => `/api/admin/products/${aff.productId}/integrations/${aff.integrationId}`;

  it('shows what the affiliate sends, what went to the CRM, what came back and what the affiliate gets', async () => {
    const res = await server.admin.post(`${path()}/test`, { affiliateId: aff.affiliateId, campaignId: aff.campaignId, lead: { firstName: 'Tess', country: 'GB' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.request).toMatchObject({ method: 'POST', url: `${server.url}/api/v1/leads`, body: { campaignId: aff.campaignId, firstName: 'Tess', test: true } });
    expect(res.body.request.headers.Authorization).toMatch(/^Bearer lg_\w{6}…$/);
    expect(res.body.crmRequest).toMatchObject({ method: 'POST', url: `${crm.url}/api/leads`, headers: { 'X-Crm-Key': '••••' } });
    expect(JSON.parse(res.body.crmRequest.body)).toMatchObject({ first_name: 'Tess', country: 'GB' });
    expect(res.body.crmResponse).toMatchObject({ status: 200, durationMs: expect.any(Number) });
    expect(res.body.response).toMatchObject({ status: 200, body: { success: true, status: 'delivered' } });
    expect(res.body.leadId).toBe(res.body.response.body.leadId);
    expect(res.text).not.toContain('crm-header-secret-value');
    const [received] = await readStream(server.runtime.deps.storage.db, `lead-${res.body.leadId}`);
    expect(received!.data).toMatchObject({ test: true });
  });

  it("shows the CRM's error when it refuses the test lead", async () => {
    const res = await server.admin.post(`${path()}/test`, { affiliateId: aff.affiliateId, lead: { email: 'someone+reject@example.com' } });
    expect(res.body.response).toMatchObject({ status: 422, body: { code: 'crm.rejected', error: 'Country not served' } });
    expect(res.body.crmResponse.status).toBe(200);
  });

  it('answers integration.not_enabled for an affiliate without this integration, and 404s for unknown ids', async () => {
    const other = await server.admin.post('/api/admin/affiliates', { name: 'No integration', email: 'noint@example.com' });
    const res = await server.admin.post(`${path()}/test`, { affiliateId: other.body.id });
    expect([res.status, res.body.code]).toEqual([403, 'integration.not_enabled']);
    expect((await server.admin.post(`${path()}/test`, { affiliateId: 'a_nope' })).status).toBe(404);
    expect((await server.admin.post(`/api/admin/products/${aff.productId}/integrations/i_nope/test`, { affiliateId: aff.affiliateId })).status).toBe(404);
    expect((await server.admin.post(`${path()}/test`, {})).body.code).toBe('validation.affiliateId');
  });

  it('gives the affiliate-facing JSON with the revealed key, recording the reveal, and it works as sent', async () => {
    const res = await server.admin.get(`${path()}/test/json?affiliateId=${aff.affiliateId}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ method: 'POST', url: `${server.url}/api/v1/leads`, headers: { Authorization: `Bearer ${aff.apiKey}` }, body: { campaignId: aff.campaignId } });
    const events = await readStream(server.runtime.deps.storage.db, `affiliate-${aff.affiliateId}`);
    expect(events.filter((e) => e.type === 'ApiKeyRevealed').map((e) => e.data)).toContainEqual(expect.objectContaining({ purpose: 'test_json' }));
    const sent = await new HttpSession(server.url).post('/api/v1/leads', res.body.body, { authorization: res.body.headers.Authorization });
    expect(sent.status, sent.text).toBe(200);
  });

  it('exports a Postman v2.1 collection carrying the key and campaign as variables', async () => {
    const res = await server.admin.get(`/api/admin/affiliates/${aff.affiliateId}/postman-collection`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename=".+\.postman_collection\.json"/);
    expect(res.body.info.schema).toBe('https://schema.getpostman.com/json/collection/v2.1.0/collection.json');
    expect(res.body.variable).toEqual([
      { key: 'baseUrl', value: server.url },
      { key: 'apiKey', value: aff.apiKey },
      { key: 'campaignId', value: aff.campaignId },
    ]);
    expect(res.body.item[0].request.url.raw).toBe('{{baseUrl}}/api/v1/leads');
    expect((await server.anonymous.get(`/api/admin/affiliates/${aff.affiliateId}/postman-collection`)).status).toBe(401);
  });
});
