import { randomUUID } from 'node:crypto';
import type { Kysely, KyselyPlugin } from 'kysely';
import { describe, expect, it } from 'vitest';
import { GroupCommit, type GroupCommitOptions, type ItemOutcome } from '../../src/db/groupCommit.js';
import type { Database } from '../../src/db/schema.js';
import { openPostgres, type Storage } from '../../src/db/storage.js';
import { ConcurrencyError, InvalidEventError } from '../../src/events/errors.js';
import { event, type DomainEvent, type StoredEvent } from '../../src/events/events.js';
import { EventStore } from '../../src/events/eventStore.js';
import { inlineProjections } from '../../src/projections/inline/index.js';
import { cleanup } from '../support/cleanup.js';
import { leadReceived } from '../support/events.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';

/** A GroupCommit over a `run` that records each batch it is given and answers with `answer`. */
function recording<O>(answer: (items: number[]) => Promise<ItemOutcome<O>[]>, limits: Omit<GroupCommitOptions, 'label'> = { maxBatch: 100, maxInFlight: 2 }) {
  const batches: number[][] = [];
  let running = 0;
  let peak = 0;
  const group = new GroupCommit<number, O>(
    async (items) => {
      batches.push(items);
      peak = Math.max(peak, ++running);
      try {
        // Stays in flight past a turn of the event loop, as a database round trip does.
        await new Promise((resolve) => setTimeout(resolve, 5));
        return await answer(items);
      } finally {
        running--;
      }
    },
    { ...limits, label: 'test' },
  );
  return { group, batches, peak: () => peak };
}

const doubled = async (items: number[]) => items.map((i) => ({ value: i * 2 }));

/** `recording(doubled)` whose batch holding item 1 stays in flight until `release()`. */
function holdingItemOne(limits: Omit<GroupCommitOptions, 'label'>) {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const recorded = recording(async (items) => {
    if (items.includes(1)) await held;
    return doubled(items);
  }, limits);
  return { ...recorded, release: () => release() };
}

describe('group commit', () => {
  it('puts the items submitted in one turn of the event loop into one run, answering each caller with its own value', async () => {
    const { group, batches } = recording(doubled);
    const values = await Promise.all([1, 2, 3, 4, 5].map((i) => group.submit(i)));
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
    expect(values).toEqual([2, 4, 6, 8, 10]);
  });

  it('rejects only the caller whose item came to an error', async () => {
    const { group, batches } = recording(async (items) => items.map((i) => (i === 2 ? { error: new Error('two refused') } : { value: i })));
    const results = await Promise.allSettled([1, 2, 3].map((i) => group.submit(i)));
    expect(batches).toHaveLength(1);
    expect(results).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('two refused') },
      { status: 'fulfilled', value: 3 },
    ]);
  });

  it('tries the items of a failed batch one by one, so only the item that fails alone rejects', async () => {
    const { group, batches } = recording(async (items) => {
      if (items.includes(3)) throw new Error(items.length > 1 ? 'batch aborted' : 'three fails');
      return items.map((i) => ({ value: i }));
    });
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => group.submit(i)));
    expect(batches).toEqual([[1, 2, 3, 4], [1], [2], [3], [4]]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'fulfilled', value: 2 },
      { status: 'rejected', reason: new Error('three fails') },
      { status: 'fulfilled', value: 4 },
    ]);
  });

  it('splits what arrives together into batches of at most maxBatch items', async () => {
    const { group, batches } = recording(doubled, { maxBatch: 10, maxInFlight: 5 });
    const values = await Promise.all(Array.from({ length: 25 }, (_, i) => group.submit(i)));
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(values).toEqual(Array.from({ length: 25 }, (_, i) => i * 2));
  });

  it('runs at most maxInFlight batches at once, the rest waiting to form the next batches', async () => {
    const { group, batches, peak } = recording(doubled, { maxBatch: 3, maxInFlight: 2 });
    const values = await Promise.all(Array.from({ length: 10 }, (_, i) => group.submit(i)));
    expect(peak()).toBe(2);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect(values).toEqual(Array.from({ length: 10 }, (_, i) => i * 2));
  });

  it('gathers the items that arrive while a batch runs into the next batch', async () => {
    // The first batch stays in flight until the later items are all in (a timer would race a
    // busy machine's event loop turns).
    const { group, batches, peak, release } = holdingItemOne({ maxBatch: 100, maxInFlight: 1 });
    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [];
    for (const i of [2, 3, 4]) {
      later.push(group.submit(i));
      await new Promise((resolve) => setImmediate(resolve));
    }
    release();
    expect(await Promise.all([first, ...later])).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    expect(peak()).toBe(1);
  });

  it('starts a batch beside a running one only once minBesideOthers items wait, and with none running at once', async () => {
    const { group, batches, peak, release } = holdingItemOne({ maxBatch: 100, maxInFlight: 4, minBesideOthers: 3 });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const first = group.submit(1);
    await turn();
    const second = [group.submit(2)];
    await turn();
    second.push(group.submit(3));
    await turn();
    // Two waiting: too few to open a batch beside the running one, though a slot is free.
    expect(batches).toEqual([[1]]);
    second.push(group.submit(4));
    await turn();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    const third = group.submit(5);
    expect(await Promise.all(second)).toEqual([4, 6, 8]);
    // The second batch has ended, the first still runs: 5 alone waits for it.
    expect(batches).toEqual([[1], [2, 3, 4]]);
    release();
    expect(await Promise.all([first, third])).toEqual([2, 10]);
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
    expect(peak()).toBe(2);
  });
});

const started = (leadId: string, attempt: number) => event('DeliveryAttemptStarted', { leadId, attempt });

/** `count` new leads, each a stream at version 1 with its row in `leads`, as intake makes them. */
async function newLeads(storage: Storage, store: EventStore, count: number): Promise<string[]> {
  const leadIds = Array.from({ length: count }, () => randomUUID());
  await storage.db.transaction().execute((trx) => store.appendNewStreams(trx, leadIds.map((leadId) => ({ streamId: `lead-${leadId}`, events: [leadReceived({ leadId })] }))));
  return leadIds;
}

function leadRows(storage: Storage, leadIds: string[]) {
  return storage.db.selectFrom('leads').select(['lead_id', 'attempts', 'stream_version']).where('lead_id', 'in', leadIds).orderBy('lead_id').execute();
}

/** How many statements stored these events: outside a transaction, each statement is its own transaction. */
const statements = (events: StoredEvent[]) => new Set(events.map((e) => e.transactionId)).size;

/** The same database, counting the queries sent through it. */
function counted(db: Kysely<Database>): { db: Kysely<Database>; queries: () => number } {
  let queries = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      queries++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), queries: () => queries };
}

describe.each(DATABASE_KINDS)('group commit in the event store on %s', (kind) => {
  it('commits concurrent lone appends to different streams in one statement, each updating its own lead row', async () => {
    const storage = await openTestStorage(kind, 'group_commit_appends');
    const store = new EventStore(storage.db, inlineProjections);
    const leadIds = await newLeads(storage, store, 20);

    const stored = await Promise.all(
      leadIds.map((leadId, i) => store.append(`lead-${leadId}`, [started(leadId, 1)], { expectedVersion: 1, metadata: { requestId: `req-${i}` } })),
    );
    expect(stored.map(([e]) => [e!.streamId, e!.streamVersion])).toEqual(leadIds.map((leadId) => [`lead-${leadId}`, 2]));
    expect(statements(stored.flat())).toBe(1);
    expect(await leadRows(storage, leadIds)).toEqual([...leadIds].sort().map((lead_id) => ({ lead_id, attempts: 1, stream_version: 2 })));
    const [, own] = await store.readStream(`lead-${leadIds[7]}`);
    expect(own).toMatchObject({ type: 'DeliveryAttemptStarted', data: { leadId: leadIds[7], attempt: 1 } });
    expect(stored.flat().map((e) => e.metadata.requestId)).toEqual(leadIds.map((_, i) => `req-${i}`));

    // The measure holds: without group commit, each lone append is a statement of its own.
    const single = new EventStore(storage.db, inlineProjections, { groupCommit: false });
    const alone = await Promise.all(leadIds.map((leadId) => single.append(`lead-${leadId}`, [started(leadId, 2)], { expectedVersion: 2 })));
    expect(statements(alone.flat())).toBe(20);
  });

  it('refuses a stale expected version in a batch with a ConcurrencyError and writes nothing for it, while the others commit', async () => {
    const storage = await openTestStorage(kind, 'group_commit_stale');
    const store = new EventStore(storage.db, inlineProjections);
    const [moved, ...others] = await newLeads(storage, store, 6);
    await store.append(`lead-${moved}`, [started(moved!, 1)], { expectedVersion: 1 });

    const results = await Promise.allSettled([
      store.append(`lead-${moved}`, [started(moved!, 2)], { expectedVersion: 1 }),
      ...others.map((leadId) => store.append(`lead-${leadId}`, [started(leadId, 1)], { expectedVersion: 1 })),
    ]);
    const [stale, ...committed] = results;
    expect((stale as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    expect((stale as PromiseRejectedResult).reason).toMatchObject({ streamId: `lead-${moved}`, expected: 1 });
    expect(committed.map((r) => r.status)).toEqual(others.map(() => 'fulfilled'));
    // Skipped by the statement itself: the others still shared it.
    expect(statements(committed.flatMap((r) => (r as PromiseFulfilledResult<StoredEvent[]>).value))).toBe(1);

    expect((await store.readStream(`lead-${moved}`)).map((e) => e.data)).toEqual([expect.anything(), { leadId: moved, attempt: 1 }]);
    expect(await leadRows(storage, [moved!])).toEqual([{ lead_id: moved, attempts: 1, stream_version: 2 }]);
    expect(await leadRows(storage, others)).toEqual([...others].sort().map((lead_id) => ({ lead_id, attempts: 1, stream_version: 2 })));
  });

  it('refuses an expected version ahead of its stream alone, by its own guard, the others still sharing the statement', async () => {
    const storage = await openTestStorage(kind, 'group_commit_ahead');
    const store = new EventStore(storage.db, inlineProjections);
    const [ahead, ...others] = await newLeads(storage, store, 5);

    const results = await Promise.allSettled([
      store.append(`lead-${ahead}`, [started(ahead!, 1)], { expectedVersion: 4 }),
      ...others.map((leadId) => store.append(`lead-${leadId}`, [started(leadId, 1)], { expectedVersion: 1 })),
    ]);
    const [refused, ...committed] = results;
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ name: 'ConcurrencyError', streamId: `lead-${ahead}`, expected: 4 });
    expect(statements(committed.flatMap((r) => (r as PromiseFulfilledResult<StoredEvent[]>).value))).toBe(1);
    expect(await store.readStream(`lead-${ahead}`)).toHaveLength(1);
    expect(await leadRows(storage, [ahead!])).toEqual([{ lead_id: ahead, attempts: 0, stream_version: 1 }]);
  });

  it('answers two appends to one stream in one batch each for itself: the one at the head commits, the one ahead is refused and writes nothing', async () => {
    const storage = await openTestStorage(kind, 'group_commit_same_stream');
    const store = new EventStore(storage.db, inlineProjections);
    const [leadId] = await newLeads(storage, store, 1);
    await store.append(`lead-${leadId}`, [started(leadId!, 1)], { expectedVersion: 1 });

    const [atHead, ahead] = await Promise.allSettled([
      store.append(`lead-${leadId}`, [started(leadId!, 2)], { expectedVersion: 2 }),
      store.append(`lead-${leadId}`, [started(leadId!, 9)], { expectedVersion: 5 }),
    ]);
    expect((atHead as PromiseFulfilledResult<StoredEvent[]>).value.map((e) => [e.streamVersion, e.data])).toEqual([[3, { leadId, attempt: 2 }]]);
    expect((ahead as PromiseRejectedResult).reason).toMatchObject({ name: 'ConcurrencyError', expected: 5 });
    expect(await store.readStream(`lead-${leadId}`)).toHaveLength(3);
    expect(await leadRows(storage, [leadId!])).toEqual([{ lead_id: leadId, attempts: 2, stream_version: 3 }]);
  });

  it('refuses an event that fails its schema in a batch alone, with an InvalidEventError, the others committing', async () => {
    const storage = await openTestStorage(kind, 'group_commit_invalid');
    const store = new EventStore(storage.db, inlineProjections);
    const [invalid, ...others] = await newLeads(storage, store, 4);
    const bad = { type: 'DeliveryAttemptStarted', data: { leadId: invalid, attempt: -1 } } as DomainEvent;

    const [refused, ...committed] = await Promise.allSettled([
      store.append(`lead-${invalid}`, [bad], { expectedVersion: 1 }),
      ...others.map((leadId) => store.append(`lead-${leadId}`, [started(leadId, 1)], { expectedVersion: 1 })),
    ]);
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(InvalidEventError);
    expect(committed.map((r) => r.status)).toEqual(others.map(() => 'fulfilled'));
    expect(await store.readStream(`lead-${invalid}`)).toHaveLength(1);
    expect(await leadRows(storage, [invalid!])).toEqual([{ lead_id: invalid, attempts: 0, stream_version: 1 }]);
  });

  it('lets exactly one of two concurrent appends to one stream at the same version win, a bystander in their batch committing', async () => {
    const storage = await openTestStorage(kind, 'group_commit_race');
    const store = new EventStore(storage.db, inlineProjections);
    for (let round = 0; round < 5; round++) {
      const [contested, bystander] = await newLeads(storage, store, 2);
      const stream = `lead-${contested}`;
      const [first, second, other] = await Promise.allSettled([
        store.append(stream, [started(contested!, 1)], { expectedVersion: 1 }),
        store.append(stream, [started(contested!, 7)], { expectedVersion: 1 }),
        store.append(`lead-${bystander}`, [started(bystander!, 1)], { expectedVersion: 1 }),
      ]);

      const won = [first!, second!].filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<StoredEvent[]>[];
      const lost = [first!, second!].filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(ConcurrencyError);
      const winner = won[0]!.value[0]!;
      expect(winner.streamVersion).toBe(2);
      expect(await store.readStream(stream)).toEqual([expect.objectContaining({ type: 'LeadReceived' }), winner]);
      const { attempt } = winner.data as { attempt: number };
      expect(await leadRows(storage, [contested!])).toEqual([{ lead_id: contested, attempts: attempt, stream_version: 2 }]);
      expect(other!.status).toBe('fulfilled');
      expect(await leadRows(storage, [bystander!])).toEqual([{ lead_id: bystander, attempts: 1, stream_version: 2 }]);
    }
  });

  it('lets exactly one of two stores (two processes) appending to one stream at the same version win', async () => {
    const storage = await openTestStorage(kind, 'group_commit_two_stores');
    // On Postgres each store has its own pool, so their batches really run at once.
    const second = kind === 'postgres' ? await openTestPool(storage) : storage;
    const stores = [new EventStore(storage.db, inlineProjections), new EventStore(second.db, inlineProjections)];
    for (let round = 0; round < 5; round++) {
      const [leadId] = await newLeads(storage, stores[0]!, 1);
      const results = await Promise.allSettled(stores.map((s, i) => s.append(`lead-${leadId}`, [started(leadId!, i + 1)], { expectedVersion: 1 })));
      const won = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<StoredEvent[]>[];
      expect(won).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
      const { attempt } = won[0]!.value[0]!.data as { attempt: number };
      expect(await stores[0]!.readStream(`lead-${leadId}`)).toHaveLength(2);
      expect(await leadRows(storage, [leadId!])).toEqual([{ lead_id: leadId, attempts: attempt, stream_version: 2 }]);
    }
  });

  it('reads several streams in one query, each its own events in version order, and nothing for an unknown stream', async () => {
    const storage = await openTestStorage(kind, 'group_commit_reads');
    const plain = new EventStore(storage.db, inlineProjections);
    const leadIds = await newLeads(storage, plain, 3);
    // Interleaved, so the log's order is not any one stream's.
    for (let attempt = 1; attempt <= 2; attempt++) {
      for (const leadId of leadIds.slice(attempt)) await plain.append(`lead-${leadId}`, [started(leadId, attempt)], { expectedVersion: attempt });
    }
    const { db, queries } = counted(storage.db);
    const store = new EventStore(db, inlineProjections);

    const [third, unknown, first, second] = await Promise.all([leadIds[2], 'nobody', leadIds[0], leadIds[1]].map((id) => store.readStream(`lead-${id}`)));
    expect(queries()).toBe(1);
    expect(unknown).toEqual([]);
    const shape = (events: StoredEvent[]) => events.map((e) => [e.streamId, e.streamVersion, e.type]);
    expect(shape(first!)).toEqual([[`lead-${leadIds[0]}`, 1, 'LeadReceived']]);
    expect(shape(second!)).toEqual([
      [`lead-${leadIds[1]}`, 1, 'LeadReceived'],
      [`lead-${leadIds[1]}`, 2, 'DeliveryAttemptStarted'],
    ]);
    expect(shape(third!)).toEqual([
      [`lead-${leadIds[2]}`, 1, 'LeadReceived'],
      [`lead-${leadIds[2]}`, 2, 'DeliveryAttemptStarted'],
      [`lead-${leadIds[2]}`, 3, 'DeliveryAttemptStarted'],
    ]);
  });
});

/** A second pool on the test database: another process's connections. */
async function openTestPool(storage: Storage & { url?: string }): Promise<Storage> {
  const second = await openPostgres(storage.url!);
  cleanup(() => second.close());
  return second;
}
