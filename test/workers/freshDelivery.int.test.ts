import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutboundHttp } from '../../src/crm/httpClient.js';
import { event } from '../../src/events/events.js';
import { FreshStreams } from '../../src/events/freshStreams.js';
import { readStream } from '../../src/events/readStream.js';
import { deliverLead, type DeliveryDeps } from '../../src/workers/delivery/deliverLead.js';
import { cleanup } from '../support/cleanup.js';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { startTestServer, type Shape } from '../support/testServer.js';

const KINDS: Shape[] = ['postgres', 'embedded'];

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(KINDS)('delivery from the stream intake hands over (%s)', (kind) => {
  it('delivers a lead accepted in the same process without reading its stream back', async () => {
    const server = await startTestServer(kind, { SYNC_WINDOW_MS: '5000' });
    const crm = await startFakeCrm();
    const aff = await setupAffiliate(server, { crmUrl: crm.url });
    const reads = vi.spyOn(server.runtime.deps.store, 'readStream');

    const res = await HttpSession.withToken(server.url, aff.apiKey).post('/api/v1/leads', leadBody(aff.campaignId));

    expect(res.status, res.text).toBe(200);
    const leadId = res.body.leadId as string;
    expect(res.body.autoLoginUrl).toBe('https://crm.example/login/1');
    expect(reads.mock.calls.filter(([stream]) => stream === `lead-${leadId}`)).toEqual([]);
    const stream = await readStream(server.runtime.deps.storage.db, `lead-${leadId}`);
    expect(stream.map((e) => [e.type, e.streamVersion])).toEqual([
      ['LeadReceived', 1],
      ['DeliveryAttemptStarted', 2],
      ['LeadDelivered', 3],
    ]);
    expect(crm.calls).toHaveLength(1);
  });

  /** A lead accepted by an API-only process (nothing delivers it), and delivery deps with a FreshStreams of the test's own. */
  async function pendingLead() {
    const server = await startTestServer(kind, { SYNC_WINDOW_MS: '0' }, { roles: ['api'] });
    const crm = await startFakeCrm();
    const aff = await setupAffiliate(server, { crmUrl: crm.url });
    const res = await HttpSession.withToken(server.url, aff.apiKey).post('/api/v1/leads', leadBody(aff.campaignId));
    expect(res.status, res.text).toBe(202);
    const leadId = res.body.leadId as string;
    const { storage, store, vault } = server.runtime.deps;
    const fresh = new FreshStreams();
    const http = new OutboundHttp({ allowPrivate: true });
    cleanup(() => http.close());
    const deps: DeliveryDeps = { storage, store, vault, http, fresh };
    const streamId = `lead-${leadId}`;
    // What intake would have handed over: the stream as it was at acceptance.
    fresh.remember(await readStream(storage.db, streamId));
    return { server, crm, aff, leadId, streamId, deps, fresh, reads: vi.spyOn(store, 'readStream') };
  }

  it('reads the stream after all, and calls no CRM, when another worker started an attempt since', async () => {
    const { server, crm, leadId, streamId, deps, fresh, reads } = await pendingLead();
    await server.runtime.deps.store.append(streamId, [event('DeliveryAttemptStarted', { leadId, attempt: 1 })], { expectedVersion: 1 });

    const result = await deliverLead(deps, leadId);

    expect(result.status).toBe('retry');
    expect(crm.calls).toHaveLength(0);
    expect(reads.mock.calls.filter(([stream]) => stream === streamId).length).toBeGreaterThan(0);
    expect(fresh.size).toBe(0);
    const stream = await readStream(server.runtime.deps.storage.db, streamId);
    expect(stream.map((e) => e.type)).toEqual(['LeadReceived', 'DeliveryAttemptStarted']);
  });

  it('delivers once, after the conversion that landed since, when the handed-over stream is behind by other writers only', async () => {
    const { server, crm, aff, leadId, streamId, deps } = await pendingLead();
    await server.runtime.deps.store.append(
      streamId,
      [event('LeadConverted', { leadId, conversionId: 'cv-1', productId: aff.productId, event: 'signup', transactionId: 't-1', occurredAt: new Date().toISOString() })],
      { expectedVersion: 'any' },
    );

    const result = await deliverLead(deps, leadId);

    expect(result.status).toBe('delivered');
    expect(crm.calls).toHaveLength(1);
    const stream = await readStream(server.runtime.deps.storage.db, streamId);
    expect(stream.map((e) => e.type)).toEqual(['LeadReceived', 'LeadConverted', 'DeliveryAttemptStarted', 'LeadDelivered']);
  });

  it('does not deliver a lead whose handed-over stream already has an outcome', async () => {
    const { server, crm, leadId, streamId, deps } = await pendingLead();
    const { store } = server.runtime.deps;
    await store.append(streamId, [event('DeliveryAttemptStarted', { leadId, attempt: 1 })], { expectedVersion: 1 });
    await store.append(streamId, [event('LeadRejected', { leadId, attempt: 1, code: 'crm.rejected', error: 'no' })], { expectedVersion: 2 });

    const result = await deliverLead(deps, leadId);

    expect(result.status).toBe('already_final');
    expect(crm.calls).toHaveLength(0);
  });
});
