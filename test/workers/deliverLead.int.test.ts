import { describe, expect, it } from 'vitest';
import { event } from '../../src/events/events.js';
import { readStream } from '../../src/events/readStream.js';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { waitFor } from '../support/spawnLeadgate.js';
import { startTestServer } from '../support/testServer.js';

describe('delivery sharing the lead stream with other writers', () => {
  it('records the outcome when a conversion lands on the lead while the CRM call is in flight, with one CRM call', async () => {
    const server = await startTestServer('postgres', { SYNC_WINDOW_MS: '0' });
    // What the CRM does while it holds the call: set once the lead id is known.
    const during: { call?: () => Promise<void> } = {};
    const crm = await startFakeCrm(async () => {
      await during.call?.();
      return {};
    });
    const aff = await setupAffiliate(server, { crmUrl: crm.url });
    const res = await HttpSession.withToken(server.url, aff.apiKey).post('/api/v1/leads', leadBody(aff.campaignId));
    const leadId = res.body.leadId as string;
    during.call = async () => {
      await server.runtime.deps.store.append(
        `lead-${leadId}`,
        [event('LeadConverted', { leadId, conversionId: 'cv-1', productId: aff.productId, event: 'signup', transactionId: 't-1', occurredAt: new Date().toISOString() })],
        { expectedVersion: 'any' },
      );
    };
    const stream = await waitFor(async () => {
      const events = await readStream(server.runtime.deps.storage.db, `lead-${leadId}`);
      return events.some((e) => e.type === 'LeadDelivered') ? events : undefined;
    }, 10_000, 'the outcome');
    expect(stream.map((e) => e.type)).toEqual(['LeadReceived', 'DeliveryAttemptStarted', 'LeadConverted', 'LeadDelivered']);
    expect(crm.calls).toHaveLength(1);
  });
});
