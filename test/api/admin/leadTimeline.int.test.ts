import { beforeAll, describe, expect, it } from 'vitest';
import { startFakeCrm } from '../../support/fakeCrm.js';
import { leadBody, setupAffiliate, type AffiliateSetup } from '../../support/fixtures.js';
import { HttpSession } from '../../support/http.js';
import { waitFor } from '../../support/spawnLeadgate.js';
import { startTestServer, type TestServer } from '../../support/testServer.js';

const PASSWORD = 'Secr3t!lead-password';

let server: TestServer;
let crm: Awaited<ReturnType<typeof startFakeCrm>>;
let receiver: Awaited<ReturnType<typeof startFakeCrm>>;
let aff: AffiliateSetup;
let api: HttpSession;
let leadId: string;
let email: string;

beforeAll(async () => {
  server = await startTestServer('postgres', { POSTBACK_RETRY_SCALE: '0.001' });
  let calls = 0;
  // The CRM is busy once, then takes the lead.
  crm = await startFakeCrm(() => (++calls === 1 ? { status: 503, body: { message: 'busy, try later' } } : {}));
  receiver = await startFakeCrm(() => ({ body: 'OK' }));
  aff = await setupAffiliate(server, { crmUrl: crm.url, integration: { type: 'registration' } });
  await server.admin.post(`/api/admin/affiliates/${aff.affiliateId}/postbacks`, { event: 'lead', url: `${receiver.url}/lead?id={lead_id}&cid={click_id}` });
  await server.admin.post(`/api/admin/affiliates/${aff.affiliateId}/postbacks`, { event: 'ftd', url: `${receiver.url}/ftd?id={lead_id}`, method: 'POST' });
  api = HttpSession.withToken(server.url, aff.apiKey);

  const body = leadBody(aff.campaignId, { password: PASSWORD, clickId: 'tl-click' });
  email = body.email;
  const res = await api.post('/api/v1/leads', body);
  expect(res.status, res.text).toBe(200);
  leadId = res.body.leadId;
  const secret = (await server.admin.get(`/api/admin/products/${aff.productId}`)).body.conversionSecret;
  const converted = await new HttpSession(server.url).post(
    '/api/v1/conversions',
    { leadId, event: 'ftd', amount: 250, currency: 'USD', transactionId: `ftd-${leadId}` },
    { 'x-conversion-secret': secret },
  );
  expect(converted.status, converted.text).toBe(201);
  await server.runtime.projector!.catchUp();
  await waitFor(async () => (receiver.calls.length === 2 ? true : undefined), 10_000, 'both postbacks');
  await waitFor(async () => {
    const rows = await server.runtime.deps.storage.db.selectFrom('postback_deliveries').select('status').where('lead_id', '=', leadId).execute();
    return rows.length === 2 && rows.every((r) => r.status === 'delivered') ? true : undefined;
  });
});

describe('GET /api/admin/leads/{leadId}', () => {
  it('shows the lead as stored and as received', async () => {
    const res = await server.admin.get(`/api/admin/leads/${leadId}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.lead).toMatchObject({
      leadId,
      affiliateId: aff.affiliateId,
      campaignId: aff.campaignId,
      productId: aff.productId,
      status: 'delivered',
      externalId: expect.stringMatching(/^cust-/),
      autoLoginUrl: expect.stringMatching(/^https:\/\/crm\.example\/login\//),
      attempts: 2,
      test: false,
      email,
      firstName: 'Ana',
      country: 'PT',
      clickId: 'tl-click',
      sub1: 'spring',
    });
  });

  it('lists the lead’s events in order, each with its type, time and data', async () => {
    const { body } = await server.admin.get(`/api/admin/leads/${leadId}`);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual([
      'LeadReceived',
      'DeliveryAttemptStarted',
      'DeliveryAttemptFailed',
      'DeliveryAttemptStarted',
      'LeadDelivered',
      'LeadConverted',
    ]);
    expect(body.events[0]).toMatchObject({ type: 'LeadReceived', at: expect.any(String), data: { leadId, lead: { email } } });
    expect(body.events[5].data).toMatchObject({ event: 'ftd', amount: '250', currency: 'USD' });
  });

  it('shows each CRM attempt with its request and response, the failed one first', async () => {
    const { body } = await server.admin.get(`/api/admin/leads/${leadId}`);
    expect(body.attempts).toHaveLength(2);
    const [failed, delivered] = body.attempts;
    expect(failed).toMatchObject({
      attempt: 1,
      startedAt: expect.any(String),
      durationMs: expect.any(Number),
      outcome: 'failed',
      code: 'crm.unavailable',
      request: { method: 'POST', url: `${crm.url}/api/leads`, headers: expect.any(Object), body: expect.any(String) },
      response: { status: 503, body: JSON.stringify({ message: 'busy, try later' }) },
    });
    expect(delivered).toMatchObject({ attempt: 2, outcome: 'delivered', response: { status: 200 } });
    expect(JSON.parse(delivered.request.body)).toMatchObject({ email, lead: leadId });
  });

  it('shows each postback attempt: event, URL as called, attempt, status and time', async () => {
    const { body } = await server.admin.get(`/api/admin/leads/${leadId}`);
    expect(body.postbacks).toEqual([
      expect.objectContaining({ event: 'lead', method: 'GET', url: `${receiver.url}/lead?id=${leadId}&cid=tl-click`, attempt: 1, status: 200, outcome: 'delivered', at: expect.any(String) }),
      expect.objectContaining({ event: 'ftd', method: 'POST', url: `${receiver.url}/ftd?id=${leadId}`, attempt: 1, status: 200, outcome: 'delivered', at: expect.any(String) }),
    ]);
  });

  it('holds no secret: the CRM header value and the password are masked, no key or signing secret appears', async () => {
    const res = await server.admin.get(`/api/admin/leads/${leadId}`);
    const conversionSecret = (await server.admin.get(`/api/admin/products/${aff.productId}`)).body.conversionSecret;
    const postbackSecret = (await server.admin.get(`/api/admin/affiliates/${aff.affiliateId}/postback-secret`)).body.secret;
    for (const secret of ['crm-header-secret-value', PASSWORD, aff.apiKey, conversionSecret, postbackSecret, postbackSecret.slice('whsec_'.length)]) {
      expect(res.text).not.toContain(secret);
    }
    for (const attempt of res.body.attempts) {
      expect(attempt.request.headers['X-Crm-Key']).toBe('••••');
      expect(JSON.parse(attempt.request.body).password).toBe('••••');
    }
  });

  it('answers 404 for an unknown lead and 401 without a login', async () => {
    expect((await server.admin.get('/api/admin/leads/ld_nope')).status).toBe(404);
    expect((await server.anonymous.get(`/api/admin/leads/${leadId}`)).status).toBe(401);
  });
});
