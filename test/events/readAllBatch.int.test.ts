import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { event } from '../../src/events/events.js';
import { EventStore } from '../../src/events/eventStore.js';
import { readAllBatch, START } from '../../src/events/readAllBatch.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';
import { leadReceived } from '../support/events.js';
import { waitFor } from '../support/spawnLeadgate.js';

const exchange = {
  request: { method: 'POST', url: 'https://crm.example/leads', headers: { 'content-type': 'application/json' }, body: '{"email":"a@example.com"}' },
  response: { status: 200, body: '{"status":"ok","login_url":"https://crm.example/login/1"}' },
  durationMs: 42,
};

describe.each(DATABASE_KINDS)('reading the whole log on %s', (kind) => {
  it('gives every event whole, or, for projections, without the recorded CRM exchange', async () => {
    const storage = await openTestStorage(kind, 'read_all_http');
    const store = new EventStore(storage.db);
    const leadId = randomUUID();
    await store.append(
      `lead-${leadId}`,
      [
        leadReceived({ leadId }),
        event('DeliveryAttemptStarted', { leadId, attempt: 1 }),
        event('LeadDelivered', { leadId, attempt: 1, externalId: 'crm-1', autoLoginUrl: 'https://crm.example/login/1', http: exchange }),
      ],
      { expectedVersion: 'no_stream', metadata: { requestId: 'req-http' } },
    );

    // Events show once settled: a transaction open elsewhere on the server (another test's) holds them back.
    const whole = await waitFor(async () => {
      const events = await readAllBatch(storage.db, START, 100);
      return events.length === 3 ? events : undefined;
    }, 20_000, 'the events to settle');
    const projected = await readAllBatch(storage.db, START, 100, { withoutHttp: true });

    expect(whole.map((e) => e.type)).toEqual(['LeadReceived', 'DeliveryAttemptStarted', 'LeadDelivered']);
    expect(whole[2]!.data).toEqual({ leadId, attempt: 1, externalId: 'crm-1', autoLoginUrl: 'https://crm.example/login/1', http: exchange });
    // The same events at the same positions; only the exchange is gone.
    expect(projected.map((e) => [e.type, e.globalPosition, e.transactionId, e.streamVersion])).toEqual(whole.map((e) => [e.type, e.globalPosition, e.transactionId, e.streamVersion]));
    expect(projected[2]!.data).toEqual({ leadId, attempt: 1, externalId: 'crm-1', autoLoginUrl: 'https://crm.example/login/1' });
    expect(projected[2]!.metadata).toEqual({ requestId: 'req-http' });
    expect(projected[0]!.data).toEqual(whole[0]!.data);
    expect(projected[0]!.createdAt).toEqual(whole[0]!.createdAt);
  });
});
