import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConcurrencyError, InvalidEventError } from '../../src/events/errors.js';
import { event, type DomainEvent } from '../../src/events/events.js';
import { EventStore } from '../../src/events/eventStore.js';
import { openPostgres } from '../../src/db/storage.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';
import { leadReceived } from '../support/events.js';

describe.each(DATABASE_KINDS)('the event store on %s', (kind) => {
  it('appends events to a stream and reads them back in order, with their positions and metadata', async () => {
    const storage = await openTestStorage(kind, 'store_roundtrip');
    const store = new EventStore(storage.db);
    const leadId = randomUUID();
    const stored = await store.append(
      `lead-${leadId}`,
      [leadReceived({ leadId }), event('DeliveryAttemptStarted', { leadId, attempt: 1 })],
      { expectedVersion: 'no_stream', metadata: { requestId: 'req-1', actor: { kind: 'affiliate', id: 'aff_1' } } },
    );
    expect(stored.map((e) => e.streamVersion)).toEqual([1, 2]);

    const read = await store.readStream(`lead-${leadId}`);
    expect(read.map((e) => e.type)).toEqual(['LeadReceived', 'DeliveryAttemptStarted']);
    expect(read[0]!.data).toEqual(leadReceived({ leadId }).data);
    expect(read[1]!.metadata).toEqual({ requestId: 'req-1', actor: { kind: 'affiliate', id: 'aff_1' } });
    expect(BigInt(read[1]!.globalPosition)).toBeGreaterThan(BigInt(read[0]!.globalPosition));
    expect(read[0]!.transactionId).toMatch(/^\d+$/);
    expect(read[0]!.createdAt).toBeInstanceOf(Date);
  });

  it('refuses an append whose expected version is stale, storing nothing', async () => {
    const storage = await openTestStorage(kind, 'store_conflict');
    const store = new EventStore(storage.db);
    const leadId = randomUUID();
    await store.append(`lead-${leadId}`, [leadReceived({ leadId })], { expectedVersion: 'no_stream' });
    await store.append(`lead-${leadId}`, [event('DeliveryAttemptStarted', { leadId, attempt: 1 })], { expectedVersion: 1 });

    const stale = store.append(`lead-${leadId}`, [event('DeliveryAttemptStarted', { leadId, attempt: 2 })], { expectedVersion: 1 });
    await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
    const ahead = store.append(`lead-${leadId}`, [event('DeliveryAttemptStarted', { leadId, attempt: 2 })], { expectedVersion: 5 });
    await expect(ahead).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.readStream(`lead-${leadId}`)).toHaveLength(2);
  });

  it("appends with expectedVersion 'any' after whatever is there", async () => {
    const storage = await openTestStorage(kind, 'store_any');
    const store = new EventStore(storage.db);
    const leadId = randomUUID();
    await store.append(`lead-${leadId}`, [leadReceived({ leadId })], { expectedVersion: 'any' });
    const [second] = await store.append(`lead-${leadId}`, [event('DeliveryAttemptStarted', { leadId, attempt: 1 })], {
      expectedVersion: 'any',
    });
    expect(second!.streamVersion).toBe(2);
  });

  it('refuses an event that fails its schema at the call, and stores nothing', async () => {
    const storage = await openTestStorage(kind, 'store_invalid');
    const store = new EventStore(storage.db);
    const bad = { type: 'DeliveryAttemptStarted', data: { leadId: 'x', attempt: -1 } } as DomainEvent;
    await expect(store.append('lead-x', [bad], { expectedVersion: 'no_stream' })).rejects.toBeInstanceOf(InvalidEventError);
    expect(await store.readStream('lead-x')).toHaveLength(0);
  });

  it('drops fields an event schema does not know, so nothing unplanned (a password) is stored', async () => {
    const storage = await openTestStorage(kind, 'store_strip');
    const store = new EventStore(storage.db);
    const received = leadReceived() as Extract<DomainEvent, { type: 'LeadReceived' }>;
    const withPassword = { ...received, data: { ...received.data, lead: { ...received.data.lead, password: 'hunter22' } } };
    await store.append('lead-strip', [withPassword], { expectedVersion: 'no_stream' });
    const [stored] = await store.readStream('lead-strip');
    expect(JSON.stringify(stored!.data)).not.toContain('hunter22');
  });

  it('lets exactly one of two racing first appends to a stream win', async () => {
    const storage = await openTestStorage(kind, 'store_race');
    // On Postgres the two appends run on separate connections, truly concurrently.
    const second = kind === 'postgres' ? await openPostgres((storage as { url: string }).url) : storage;
    const stores = [new EventStore(storage.db), new EventStore(second.db)];
    for (let round = 0; round < 10; round++) {
      const leadId = randomUUID();
      const results = await Promise.allSettled(
        stores.map((s) => s.append(`lead-${leadId}`, [leadReceived({ leadId })], { expectedVersion: 'no_stream' })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConcurrencyError);
      expect(await stores[0]!.readStream(`lead-${leadId}`)).toHaveLength(1);
    }
    if (second !== storage) await second.close();
  });
});
