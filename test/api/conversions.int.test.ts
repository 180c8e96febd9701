import { beforeAll, describe, expect, it } from 'vitest';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate, type AffiliateSetup } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { waitFor } from '../support/spawnLeadgate.js';

let server: TestServer;
let crm: Awaited<ReturnType<typeof startFakeCrm>>;
let receiver: Awaited<ReturnType<typeof startFakeCrm>>;
let aff: AffiliateSetup;
let api: HttpSession;
let secret: string;
let advertiser: HttpSession;

beforeAll(async () => {
  server = await startTestServer('postgres', { POSTBACK_RETRY_SCALE: '0.001' });
  crm = await startFakeCrm();
  receiver = await startFakeCrm(() => ({ body: 'OK' }));
  aff = await setupAffiliate(server, { crmUrl: crm.url });
  api = HttpSession.withToken(server.url, aff.apiKey);
  secret = (await server.admin.get(`/api/admin/products/${aff.productId}`)).body.conversionSecret;
  advertiser = new HttpSession(server.url);
  const postback = await server.admin.post(`/api/admin/affiliates/${aff.affiliateId}/postbacks`, {
    event: 'signup',
    url: `${receiver.url}/signup?lead={lead_id}&tx={transaction_id}`,
  });
  expect(postback.status, postback.text).toBe(201);
});

/** A lead sent by the affiliate and delivered to the CRM (which answers with its customer id). */
async function deliveredLead(): Promise<{ leadId: string; externalId: string }> {
  const res = await api.post('/api/v1/leads', leadBody(aff.campaignId));
  expect(res.status, res.text).toBe(200);
  const row = await server.runtime.deps.storage.db.selectFrom('leads').select('external_id').where('lead_id', '=', res.body.leadId).executeTakeFirstOrThrow();
  return { leadId: res.body.leadId, externalId: row.external_id! };
}

function convert(body: Record<string, unknown>, headers: Record<string, string> = { 'x-conversion-secret': secret }) {
  return advertiser.post('/api/v1/conversions', body, headers);
}

async function conversionEvents(leadId: string) {
  const events = await server.runtime.deps.store.readStream(`lead-${leadId}`);
  return events.filter((e) => e.type === 'LeadConverted');
}

describe('POST /api/v1/conversions', () => {
  it('records a conversion by leadId: 201, LeadConverted on the lead’s stream with the advertiser as actor', async () => {
    const { leadId } = await deliveredLead();
    const res = await convert({ leadId, event: 'ftd', amount: 250, currency: 'usd', transactionId: `tx-${leadId}`, occurredAt: '2026-11-24T08:30:00+01:00' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ success: true, conversionId: expect.stringMatching(/^cv_/), leadId, duplicate: false });

    const [converted, ...more] = await conversionEvents(leadId);
    expect(more).toHaveLength(0);
    expect(converted!.data).toEqual({
      leadId,
      conversionId: res.body.conversionId,
      productId: aff.productId,
      event: 'ftd',
      amount: '250',
      currency: 'USD',
      transactionId: `tx-${leadId}`,
      occurredAt: '2026-11-24T07:30:00.000Z',
    });
    expect(converted!.metadata.actor).toEqual({ kind: 'advertiser', id: aff.productId });

    const status = await api.get(`/api/v1/leads/${leadId}`);
    expect(status.body.conversions).toEqual([{ event: 'ftd', amount: 250, currency: 'USD', occurredAt: '2026-11-24T07:30:00.000Z' }]);
  });

  it('records a conversion by the CRM’s externalId, keeping the amount as the plain decimal received', async () => {
    const { leadId, externalId } = await deliveredLead();
    expect(externalId).toMatch(/^cust-/);
    const before = Date.now();
    const res = await convert({ externalId, event: 'deposit', amount: 99.5, currency: 'EUR', transactionId: `dep-${leadId}` });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ leadId, duplicate: false });
    const [converted] = await conversionEvents(leadId);
    expect(converted!.data).toMatchObject({ event: 'deposit', amount: '99.5', currency: 'EUR' });
    // occurredAt defaults to when it was reported.
    expect(Date.parse(converted!.type === 'LeadConverted' ? converted!.data.occurredAt : '')).toBeGreaterThanOrEqual(before - 1000);
  });

  it('answers a repeated transactionId with 200 duplicate:true, the first conversion, and fires nothing again', async () => {
    const { leadId } = await deliveredLead();
    const body = { leadId, event: 'signup', transactionId: `signup-${leadId}` };
    const first = await convert(body);
    expect(first.status, first.text).toBe(201);
    await server.runtime.projector!.catchUp();
    await waitFor(async () => (receiver.calls.some((c) => c.url.includes(leadId)) ? true : undefined), 10_000, 'the signup postback');

    const again = await convert({ ...body, event: 'ftd' });
    expect(again.status, again.text).toBe(200);
    expect(again.body).toEqual({ success: true, conversionId: first.body.conversionId, leadId, duplicate: true });
    await server.runtime.projector!.catchUp();
    await new Promise((r) => setTimeout(r, 500));
    expect(await conversionEvents(leadId)).toHaveLength(1);
    expect(receiver.calls.filter((c) => c.url.includes(leadId))).toHaveLength(1);
    const deliveries = await server.runtime.deps.storage.db.selectFrom('postback_deliveries').select('id').where('lead_id', '=', leadId).execute();
    expect(deliveries).toHaveLength(1);
  });

  it('records one conversion when the same transactionId arrives ten times at once', async () => {
    const { leadId } = await deliveredLead();
    const answers = await Promise.all(Array.from({ length: 10 }, () => convert({ leadId, event: 'ftd', amount: 10, currency: 'USD', transactionId: `race-${leadId}` })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.conversionId)).size).toBe(1);
    expect(await conversionEvents(leadId)).toHaveLength(1);
  });

  it('keeps transactionIds apart per product', async () => {
    const other = await setupAffiliate(server, { crmUrl: crm.url });
    const otherSecret = (await server.admin.get(`/api/admin/products/${other.productId}`)).body.conversionSecret;
    const otherLead = await HttpSession.withToken(server.url, other.apiKey).post('/api/v1/leads', leadBody(other.campaignId));
    const { leadId } = await deliveredLead();
    const transactionId = `shared-${leadId}`;
    expect((await convert({ leadId, event: 'signup', transactionId })).status).toBe(201);
    const res = await convert({ leadId: otherLead.body.leadId, event: 'signup', transactionId }, { 'x-conversion-secret': otherSecret });
    expect(res.status, res.text).toBe(201);
  });

  it('answers 401 for a missing or wrong secret', async () => {
    const { leadId } = await deliveredLead();
    const body = { leadId, event: 'signup', transactionId: `auth-${leadId}` };
    const missing = await convert(body, {});
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ success: false, code: 'auth.missing_token' });
    const wrong = await convert(body, { 'x-conversion-secret': `${secret}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ success: false, code: 'auth.invalid_token' });
    expect(await conversionEvents(leadId)).toHaveLength(0);
  });

  it('answers 404 for an unknown lead, an unknown externalId, and another product’s lead', async () => {
    const unknown = await convert({ leadId: 'ld_nope', event: 'signup', transactionId: 'nf-1' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ success: false, code: 'not_found' });
    expect((await convert({ externalId: 'no-such-customer', event: 'signup', transactionId: 'nf-2' })).status).toBe(404);

    const other = await setupAffiliate(server, { crmUrl: crm.url });
    const otherSecret = (await server.admin.get(`/api/admin/products/${other.productId}`)).body.conversionSecret;
    const { leadId } = await deliveredLead();
    const res = await convert({ leadId, event: 'signup', transactionId: `cross-${leadId}` }, { 'x-conversion-secret': otherSecret });
    expect(res.status).toBe(404);
    expect(await conversionEvents(leadId)).toHaveLength(0);
  });

  it.each([
    ['neither leadId nor externalId', { event: 'signup', transactionId: 't' }, 'validation.leadId'],
    ['an unknown event', { leadId: 'ld_1', event: 'purchase', transactionId: 't' }, 'validation.event'],
    ['no transactionId', { leadId: 'ld_1', event: 'signup' }, 'validation.transactionId'],
    ['a negative amount', { leadId: 'ld_1', event: 'ftd', amount: -5, transactionId: 't' }, 'validation.amount'],
    ['an amount that is not a number', { leadId: 'ld_1', event: 'ftd', amount: '12,5', transactionId: 't' }, 'validation.amount'],
    ['a currency that is not three letters', { leadId: 'ld_1', event: 'ftd', amount: 5, currency: 'US$', transactionId: 't' }, 'validation.currency'],
    ['an occurredAt that is not a time', { leadId: 'ld_1', event: 'ftd', transactionId: 't', occurredAt: 'yesterday' }, 'validation.occurredAt'],
  ])('answers 400 for %s', async (_what, body, code) => {
    const res = await convert(body);
    expect(res.status, res.text).toBe(400);
    expect(res.body).toMatchObject({ success: false, code });
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await advertiser.post('/api/v1/conversions', 'leadId=1', { 'x-conversion-secret': secret, 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
  });
});
