import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.js';
import { event } from '../../src/events/events.js';
import { EventStore } from '../../src/events/eventStore.js';
import type { AsyncProjection } from '../../src/projections/asyncProjection.js';
import { ensureCheckpoint } from '../../src/projections/checkpoints.js';
import { processBatch, processBatches } from '../../src/projections/processBatch.js';
import { leadReceived } from '../support/events.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';

/** Records each event it applies under its own name; `handles` decides what it is given. */
function recording(name: string, handles: AsyncProjection['handles']): AsyncProjection {
  return {
    name,
    handles,
    tables: [],
    async apply(trx, events) {
      for (const e of events) await sql`insert into applied_by (projection, global_position, type) values (${name}, ${e.globalPosition}::bigint, ${e.type})`.execute(trx);
    },
  };
}

async function applied(db: Kysely<Database>, name: string): Promise<string[]> {
  const rows = await sql<{ global_position: string; type: string }>`select global_position::text, type from applied_by where projection = ${name} order by global_position`.execute(db);
  return rows.rows.map((r) => `${r.global_position}:${r.type}`);
}

/**
 * Runs `step` until `done`: the gap-safe read holds back events behind any transaction open
 * anywhere on the server (other test files run alongside), so one pass may not see them all yet.
 */
async function until(done: () => Promise<boolean>, step: () => Promise<unknown>, ms = 15_000): Promise<void> {
  for (const deadline = Date.now() + ms; ; ) {
    await step();
    if (await done()) return;
    if (Date.now() > deadline) throw new Error('projections did not catch up');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setup(kind: (typeof DATABASE_KINDS)[number], label: string) {
  const storage = await openTestStorage(kind, label);
  await sql`create table applied_by (projection text not null, global_position bigint not null, type text not null, unique (projection, global_position))`.execute(storage.db);
  const store = new EventStore(storage.db);
  const a = recording('rec_a', ['LeadReceived', 'DeliveryAttemptStarted']);
  const b = recording('rec_b', ['DeliveryAttemptStarted']);
  for (const p of [a, b]) await ensureCheckpoint(storage.db, p.name);
  let made = 0;
  const lead = async (n: number) => {
    for (let i = made; i < made + n; i++) {
      const stream = `lead-ld_pb${label}${i}`;
      await store.append(stream, [leadReceived({ leadId: `ld_pb${label}${i}` })], { expectedVersion: 'no_stream' });
      await store.append(stream, [event('DeliveryAttemptStarted', { leadId: `ld_pb${label}${i}`, attempt: 1 })], { expectedVersion: 1 });
    }
    made += n;
  };
  const positions = async () =>
    (await sql<{ global_position: string; type: string }>`select global_position::text, type from events order by global_position`.execute(storage.db)).rows.map((r) => `${r.global_position}:${r.type}`);
  return { storage, a, b, lead, positions };
}

describe.each(DATABASE_KINDS)('processBatches (%s)', (kind) => {
  it('reads the log once for projections at the same place, and gives each the events it handles, once', async () => {
    const { storage, a, b, lead, positions } = await setup(kind, 'same');
    await lead(3);
    await until(async () => (await applied(storage.db, 'rec_a')).length === 6 && (await applied(storage.db, 'rec_b')).length === 3, () => processBatches(storage.db, [a, b], 500));
    // Caught up: the next pass reads nothing.
    expect(await processBatches(storage.db, [a, b], 500)).toBe(0);
    const all = await positions();
    expect(await applied(storage.db, 'rec_a')).toEqual(all);
    expect(await applied(storage.db, 'rec_b')).toEqual(all.filter((p) => p.endsWith(':DeliveryAttemptStarted')));
  });

  it('gives a projection ahead of the other only the events past its own checkpoint', async () => {
    const { storage, a, b, lead, positions } = await setup(kind, 'ahead');
    await lead(2);
    // b alone moves ahead through the first leads.
    await until(async () => (await applied(storage.db, 'rec_b')).length === 2, () => processBatch(storage.db, b, 500));
    await lead(2);
    // Batches of 3: a starts from the beginning, b only past its checkpoint, each event once
    // (a second time would break applied_by's unique key and fail the pass).
    await until(async () => (await applied(storage.db, 'rec_a')).length === 8 && (await applied(storage.db, 'rec_b')).length === 4, () => processBatches(storage.db, [a, b], 3));
    const all = await positions();
    expect(all).toHaveLength(8);
    expect(await applied(storage.db, 'rec_a')).toEqual(all);
    expect(await applied(storage.db, 'rec_b')).toEqual(all.filter((p) => p.endsWith(':DeliveryAttemptStarted')));
  });
});

// A second consumer holding a lock needs a second connection: PostgreSQL only (PGlite is one connection).
describe('processBatches with a checkpoint held elsewhere (postgres)', () => {
  it('leaves out a projection whose checkpoint another consumer holds, and goes on with the others', async () => {
    const { storage, a, b, lead, positions } = await setup('postgres', 'held');
    await lead(2);
    await storage.db.transaction().execute(async (other) => {
      await sql`select 1 from projection_checkpoints where name = 'rec_b' for update`.execute(other);
      await until(async () => (await applied(storage.db, 'rec_a')).length === 4, () => processBatches(storage.db, [a, b], 500));
    });
    expect(await applied(storage.db, 'rec_a')).toEqual(await positions());
    expect(await applied(storage.db, 'rec_b')).toEqual([]);
    // Released: b catches up on its own events, a has nothing new.
    await until(async () => (await applied(storage.db, 'rec_b')).length === 2, () => processBatches(storage.db, [a, b], 500));
    expect(await applied(storage.db, 'rec_a')).toHaveLength(4);
  });
});
