import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { postbackTriggers } from '../../src/projections/postbackTriggers.js';
import { replayProjections } from '../../src/projections/replay.js';
import { startFakeCrm, type CrmReply } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate, type AffiliateSetup } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { waitFor } from '../support/spawnLeadgate.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

type Receiver = Awaited<ReturnType<typeof startFakeCrm>>;

describe.each(['postgres+redis', 'embedded'] as const)('postbacks (%s)', (shape) => {
  let server: TestServer;
  let crm: Receiver;

  beforeAll(async () => {
    server = await startTestServer(shape, { POSTBACK_RETRY_SCALE: '0.001' });
    crm = await startFakeCrm();
  });

  const db = () => server.runtime.deps.storage.db;

  /** An affiliate sending to the fake CRM, with one postback to a receiver of its own. */
  async function affiliateWithPostback(
    postback: { event: string; path: string; method?: 'GET' | 'POST' },
    reply: (index: number) => CrmReply = () => ({ body: 'OK' }),
  ): Promise<{ aff: AffiliateSetup; api: HttpSession; receiver: Receiver; postbackId: string }> {
    const receiver = await startFakeCrm((_call, index) => reply(index));
    const aff = await setupAffiliate(server, { crmUrl: crm.url });
    const created = await server.admin.post(`/api/admin/affiliates/${aff.affiliateId}/postbacks`, { event: postback.event, url: `${receiver.url}${postback.path}`, method: postback.method });
    expect(created.status, created.text).toBe(201);
    return { aff, api: HttpSession.withToken(server.url, aff.apiKey), receiver, postbackId: created.body.id };
  }

  async function sendLead(api: HttpSession, campaignId: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const res = await api.post('/api/v1/leads', leadBody(campaignId, overrides));
    expect(res.status, res.text).toBe(200);
    await server.runtime.projector!.catchUp();
    return res.body.leadId;
  }

  async function deliveryOf(leadId: string) {
    return db().selectFrom('postback_deliveries').selectAll().where('lead_id', '=', leadId).executeTakeFirstOrThrow();
  }

  const settled = (leadId: string) =>
    waitFor(async () => {
      const d = await deliveryOf(leadId);
      return d.status === 'delivered' || d.status === 'failed' ? d : undefined;
    }, 20_000, `the postback of ${leadId} to settle`);

  it('fires a GET postback with its macros filled in and URL-encoded', async () => {
    const { aff, api, receiver } = await affiliateWithPostback({ event: 'lead', path: '/pb?lead={lead_id}&cid={click_id}&s1={sub1}&s2={sub2}&c={country}&a={affiliate_id}&x={unknown}' });
    const leadId = await sendLead(api, aff.campaignId, { clickId: 'abc 1&2=3/é', sub1: 'spring sale' });
    await settled(leadId);
    expect(receiver.calls).toHaveLength(1);
    expect(receiver.calls[0]!.method).toBe('GET');
    expect(receiver.calls[0]!.url).toBe(`/pb?lead=${leadId}&cid=abc%201%262%3D3%2F%C3%A9&s1=spring%20sale&s2=&c=PT&a=${aff.affiliateId}&x={unknown}`);
    const delivery = await deliveryOf(leadId);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, last_status: 200, event: 'lead' });
  });

  it('signs a POST postback so that the Standard Webhooks library verifies it with the affiliate’s secret', async () => {
    const { aff, api, receiver } = await affiliateWithPostback({ event: 'lead', path: '/hook', method: 'POST' });
    const leadId = await sendLead(api, aff.campaignId, { clickId: 'click-post', test: true });
    await settled(leadId);
    const call = receiver.calls[0]!;
    const secret = (await server.admin.get(`/api/admin/affiliates/${aff.affiliateId}/postback-secret`)).body.secret;
    const headers = { 'webhook-id': String(call.headers['webhook-id']), 'webhook-timestamp': String(call.headers['webhook-timestamp']), 'webhook-signature': String(call.headers['webhook-signature']) };
    const payload = new Webhook(secret).verify(call.body, headers);
    expect(headers['webhook-id']).toBe((await deliveryOf(leadId)).id);
    expect(payload).toMatchObject({
      type: 'lead.lead',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: { leadId, event: 'lead', affiliateId: aff.affiliateId, campaignId: aff.campaignId, productId: aff.productId, clickId: 'click-post', country: 'PT', sub1: 'spring', test: true },
    });
    expect(() => new Webhook(`whsec_${Buffer.from('another secret of 32 bytes......').toString('base64')}`).verify(call.body, headers)).toThrow();
  });

  it('retries a failing receiver on the schedule and records delivery on the third attempt', async () => {
    const { aff, api, receiver } = await affiliateWithPostback({ event: 'lead', path: '/flaky?lead={lead_id}' }, (index) => (index < 2 ? { status: 503, body: 'busy' } : { body: 'OK' }));
    const leadId = await sendLead(api, aff.campaignId);
    const delivery = await settled(leadId);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, last_status: 200 });
    expect(receiver.calls).toHaveLength(3);
    const events = await server.runtime.deps.store.readStream(`postback-${delivery.id}`);
    expect(events.map((e) => e.type)).toEqual(['PostbackAttempted', 'PostbackAttempted', 'PostbackAttempted', 'PostbackDelivered']);
    expect(events.map((e) => ('status' in e.data ? e.data.status : undefined))).toEqual([503, 503, 200, undefined]);
    expect(events.slice(0, 2).every((e) => e.type === 'PostbackAttempted' && e.data.retryInMs !== undefined && e.data.error === 'receiver answered HTTP 503')).toBe(true);
  });

  it('disables the postback when the receiver answers 410 Gone, and fires it no more', async () => {
    const { aff, api, receiver, postbackId } = await affiliateWithPostback({ event: 'lead', path: '/gone' }, () => ({ status: 410, body: 'gone' }));
    const leadId = await sendLead(api, aff.campaignId);
    expect(await settled(leadId)).toMatchObject({ status: 'failed', attempts: 1, last_status: 410 });
    const config = await db().selectFrom('postback_configs').select('disabled_at').where('id', '=', postbackId).executeTakeFirstOrThrow();
    expect(config.disabled_at).toBeInstanceOf(Date);
    const affiliateEvents = await server.runtime.deps.store.readStream(`affiliate-${aff.affiliateId}`);
    expect(affiliateEvents.find((e) => e.type === 'PostbackDisabled')?.data).toMatchObject({ postbackId, affiliateId: aff.affiliateId });

    const next = await sendLead(api, aff.campaignId);
    await new Promise((r) => setTimeout(r, 300));
    expect(await db().selectFrom('postback_deliveries').select('id').where('lead_id', '=', next).execute()).toHaveLength(0);
    expect(receiver.calls).toHaveLength(1);
  });

  it('makes no new call when the postback_triggers projection is replayed, even for a postback configured since', async () => {
    const { aff, api, receiver } = await affiliateWithPostback({ event: 'lead', path: '/replay?lead={lead_id}' });
    const leads = [await sendLead(api, aff.campaignId), await sendLead(api, aff.campaignId)];
    for (const leadId of leads) await settled(leadId);
    const later = await startFakeCrm(() => ({ body: 'OK' }));
    await server.admin.post(`/api/admin/affiliates/${aff.affiliateId}/postbacks`, { event: 'lead', url: `${later.url}/late` });
    const before = await db().selectFrom('postback_deliveries').select(['id', 'status', 'attempts']).orderBy('id').execute();

    await replayProjections(db(), [postbackTriggers]);
    // The gap-safe read holds back while any transaction of the cluster is open (other test
    // files run beside this one), so the rebuild may finish in the running projector.
    const { head } = await db().selectFrom('events').select((eb) => eb.fn.max('global_position').as('head')).executeTakeFirstOrThrow();
    await waitFor(async () => {
      const checkpoint = await db().selectFrom('projection_checkpoints').select('global_position').where('name', '=', 'postback_triggers').executeTakeFirstOrThrow();
      return BigInt(checkpoint.global_position) >= BigInt(head) ? true : undefined;
    }, 20_000, 'the rebuild to reach the head of the log');
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.calls).toHaveLength(2);
    expect(later.calls).toHaveLength(0);
    expect(await db().selectFrom('postback_deliveries').select(['id', 'status', 'attempts']).orderBy('id').execute()).toEqual(before);
  });

  it('resends a delivered postback once when a manager asks, as a new series', async () => {
    const { aff, api, receiver } = await affiliateWithPostback({ event: 'lead', path: '/resend?lead={lead_id}' });
    const leadId = await sendLead(api, aff.campaignId);
    const delivery = await settled(leadId);
    const res = await server.admin.post(`/api/admin/postbacks/${delivery.id}/resend`);
    expect(res.status, res.text).toBe(202);
    expect(res.body).toEqual({ success: true, deliveryId: delivery.id, series: 1 });
    await waitFor(async () => (receiver.calls.length === 2 ? true : undefined), 10_000, 'the resent postback');
    const after = await settled(leadId);
    expect(after).toMatchObject({ status: 'delivered', series: 1, attempts: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.calls).toHaveLength(2);
    expect(receiver.calls[1]!.url).toBe(receiver.calls[0]!.url);

    const view = await server.admin.get(`/api/admin/postbacks/${delivery.id}`);
    expect(view.body.attempts.map((a: { attempt: number; series: number; outcome: string }) => [a.attempt, a.series, a.outcome])).toEqual([
      [1, 0, 'delivered'],
      [2, 1, 'delivered'],
    ]);
    expect((await server.admin.post('/api/admin/postbacks/pd_nope/resend')).status).toBe(404);
  });

  it('sends no postback for a test lead a manager sends from the console’s integration test', async () => {
    const { aff, receiver } = await affiliateWithPostback({ event: 'lead', path: '/console' });
    const res = await server.admin.post(`/api/admin/products/${aff.productId}/integrations/${aff.integrationId}/test`, { affiliateId: aff.affiliateId, campaignId: aff.campaignId });
    expect(res.status, res.text).toBe(200);
    expect(res.body.leadId).toEqual(expect.any(String));
    await server.runtime.projector!.catchUp();
    await new Promise((r) => setTimeout(r, 300));
    expect(await db().selectFrom('postback_deliveries').select('id').where('lead_id', '=', res.body.leadId).execute()).toHaveLength(0);
    expect(receiver.calls).toHaveLength(0);
  });

  /**
   * A delivery of `path` for lead `leadId`, written straight into the table as if queued two
   * hours ago and its job lost since; `extra` sets more columns (a lease left behind).
   */
  async function queuedLongAgo(leadId: string, path: string, extra: { lease_until?: Date; lease_holder?: string } = {}) {
    const { aff, receiver, postbackId } = await affiliateWithPostback({ event: 'lead', path });
    const longAgo = new Date(Date.now() - 2 * 3600_000);
    const id = `pd_${leadId}_${shape.replace('+', '_')}`;
    await db()
      .insertInto('postback_deliveries')
      .values({
        id,
        postback_id: postbackId,
        affiliate_id: aff.affiliateId,
        lead_id: leadId,
        event: 'lead',
        method: 'GET',
        url: `${receiver.url}${path}`,
        payload: JSON.stringify({ lead_id: leadId }),
        test: false,
        status: 'new',
        queued_at: longAgo,
        created_at: longAgo,
        updated_at: longAgo,
        ...extra,
      })
      .execute();
    return { id, receiver };
  }

  it('enqueues again a delivery marked queued whose job was lost', async () => {
    const { receiver } = await queuedLongAgo('ld_lost', '/lost?lead={lead_id}');
    await settled('ld_lost');
    expect(receiver.calls.map((c) => c.url)).toEqual(['/lost?lead=ld_lost']);
  });

  it('records an attempt whose worker died before recording its answer as outcome unknown, then sends again', async () => {
    // A lease that ran out with its holder still named: that worker never released it.
    const { id, receiver } = await queuedLongAgo('ld_abandoned', '/abandoned?lead={lead_id}', {
      lease_until: new Date(Date.now() - 60_000),
      lease_holder: 'a-worker-that-was-killed',
    });
    const delivery = await settled('ld_abandoned');
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, last_status: 200, lease_holder: null });
    expect(receiver.calls.map((c) => c.url)).toEqual(['/abandoned?lead=ld_abandoned']);
    const events = await server.runtime.deps.store.readStream(`postback-${id}`);
    expect(events.map((e) => e.type)).toEqual(['PostbackAttempted', 'PostbackAttempted', 'PostbackDelivered']);
    expect(events[0]!.data).toMatchObject({ attempt: 1, outcomeUnknown: true, error: expect.stringContaining('outcome unknown') });
    expect(events[1]!.data).toMatchObject({ attempt: 2, status: 200 });
    expect(events[1]!.data).not.toHaveProperty('outcomeUnknown');
  });

  it('fires conversion postbacks only for their event and product', async () => {
    const { aff, api, receiver } = await affiliateWithPostback({ event: 'ftd', path: '/ftd?lead={lead_id}&amt={amount}&cur={currency}&tx={transaction_id}' });
    await server.admin.post(`/api/admin/affiliates/${aff.affiliateId}/postbacks`, { event: 'ftd', url: `${receiver.url}/other-product`, productId: (await server.admin.post('/api/admin/products', { name: 'Other' })).body.id });
    const leadId = await sendLead(api, aff.campaignId);
    const secret = (await server.admin.get(`/api/admin/products/${aff.productId}`)).body.conversionSecret;
    const advertiser = new HttpSession(server.url);
    for (const body of [
      { leadId, event: 'signup', transactionId: `s-${leadId}` },
      { leadId, event: 'ftd', amount: 250, currency: 'usd', transactionId: `f-${leadId}` },
    ]) {
      expect((await advertiser.post('/api/v1/conversions', body, { 'x-conversion-secret': secret })).status).toBe(201);
    }
    await server.runtime.projector!.catchUp();
    await settled(leadId);
    expect(receiver.calls.map((c) => c.url)).toEqual([`/ftd?lead=${leadId}&amt=250&cur=USD&tx=f-${leadId}`]);
  });
});
