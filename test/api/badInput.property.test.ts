import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate, type AffiliateSetup } from '../support/fixtures.js';
import { HttpSession, type HttpResponse } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

/** Values a careless or hostile client sends: wrong types, huge and deep values, unicode, injection strings. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom("'; drop table events; --", '{{email}}', '<script>alert(1)</script>', '\u0000', '../../etc/passwd', '=cmd|"/c calc"!A1', 'NaN', '', ' '),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.string({ minLength: 300, maxLength: 2000 }),
  fc.letrec((tie) => ({ deep: fc.oneof({ depthSize: 'large' }, fc.string(), fc.dictionary(fc.string({ maxLength: 5 }), tie('deep'), { maxKeys: 3 })) })).deep,
);

const LEAD_FIELDS = ['campaignId', 'productId', 'firstName', 'lastName', 'email', 'phone', 'country', 'language', 'ip', 'password', 'clickId', 'sub1', 'sub10', 'utm_source', 'comment', 'test'];

function expectContractError(res: HttpResponse, where: string): void {
  expect(res.status, `${where}: ${res.text}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.body, where).toMatchObject({ success: false, error: expect.any(String), code: expect.stringMatching(/^[a-z_]+(\.[\w.]+)?$/) });
  }
}

describe('bad input never gets past the contract (property-based)', () => {
  let server: TestServer;
  let aff: AffiliateSetup;
  let api: HttpSession;

  beforeAll(async () => {
    server = await startTestServer('postgres', { SYNC_WINDOW_MS: '0', INTAKE_RATE_LIMIT: '0' });
    const crm = await startFakeCrm();
    aff = await setupAffiliate(server, { crmUrl: crm.url });
    api = HttpSession.withToken(server.url, aff.apiKey);
  });

  const leadCount = async () => Number((await server.runtime.deps.storage.db.selectFrom('leads').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  it('intake: a valid lead with any field replaced by junk answers 202 or a contract 4xx, and a refused one stores no lead', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...LEAD_FIELDS), nasty, async (field, value) => {
        const before = await leadCount();
        const res = await api.post('/api/v1/leads', { ...leadBody(aff.campaignId), [field]: value });
        expectContractError(res, `${field}=${JSON.stringify(value)?.slice(0, 80)}`);
        if (res.status >= 400) expect(await leadCount()).toBe(before);
      }),
      { numRuns: 150 },
    );
  });

  it('intake: arbitrary JSON and arbitrary text bodies are refused cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string()), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'), async (raw, type) => {
        const res = await api.post('/api/v1/leads', raw, { 'content-type': type });
        expectContractError(res, `${type} ${raw.slice(0, 80)}`);
      }),
      { numRuns: 150 },
    );
  });

  it('admin: junk bodies for every create endpoint answer a contract 4xx', async () => {
    const endpoints = [
      '/api/admin/products',
      `/api/admin/products/${aff.productId}/integrations`,
      '/api/admin/affiliates',
      `/api/admin/affiliates/${aff.affiliateId}/campaigns`,
      `/api/admin/affiliates/${aff.affiliateId}/users`,
      `/api/admin/affiliates/${aff.affiliateId}/api-integrations`,
      `/api/admin/affiliates/${aff.affiliateId}/ip-whitelist`,
      `/api/admin/affiliates/${aff.affiliateId}/postbacks`,
      `/api/admin/affiliates/${aff.affiliateId}/api-key/extend`,
      '/api/admin/employees',
      '/api/admin/tokens',
      '/api/auth/login',
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), fc.dictionary(fc.constantFrom('name', 'email', 'password', 'from', 'to', 'url', 'event', 'type', 'request', 'integrationId', 'productId', 'expiresAt', 'role', 'kind'), nasty, { maxKeys: 6 }), async (path, body) => {
        const res = await server.admin.post(path, body);
        expectContractError(res, `${path} ${JSON.stringify(body).slice(0, 120)}`);
      }),
      { numRuns: 200 },
    );
  });

  it('stays healthy afterwards', async () => {
    expect((await server.anonymous.get('/readyz')).status).toBe(200);
    expect((await api.post('/api/v1/leads', leadBody(aff.campaignId))).status).toBe(202);
  });
});
