import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { readAllBatch, checkpointOf, type Checkpoint } from '../events/readAllBatch.js';
import type { StoredEvent } from '../events/events.js';
import type { AsyncProjection } from './asyncProjection.js';
import { lockCheckpoint, lockCheckpoints, storeCheckpoint } from './checkpoints.js';

/** Projections read the log without the recorded CRM exchanges: none of them reads one. */
const PROJECTING = { withoutHttp: true } as const;

export type BatchResult = { status: 'applied'; read: number } | { status: 'caught_up' } | { status: 'busy' };

/**
 * Applies the next batch of the log to one projection, in one transaction with its checkpoint.
 * 'busy' means another consumer holds the projection right now.
 */
export async function processBatch(db: Kysely<Database>, projection: AsyncProjection, batchSize: number): Promise<BatchResult> {
  return db.transaction().execute(async (trx): Promise<BatchResult> => {
    const checkpoint = await lockCheckpoint(trx, projection.name);
    if (!checkpoint) return { status: 'busy' };
    const events = await readAllBatch(trx, checkpoint, batchSize, PROJECTING);
    if (events.length === 0) return { status: 'caught_up' };
    await applyAndStore(trx, projection, events);
    return { status: 'applied', read: events.length };
  });
}

/** Gives a projection the events of `events` it handles, and stores its checkpoint at the last of them all. */
async function applyAndStore(trx: Transaction<Database>, projection: AsyncProjection, events: StoredEvent[]): Promise<void> {
  const last = events[events.length - 1];
  if (!last) return;
  const handled = new Set<string>(projection.handles);
  const relevant = events.filter((e) => handled.has(e.type));
  if (relevant.length > 0) await projection.apply(trx, relevant);
  await storeCheckpoint(trx, projection.name, checkpointOf(last), last.createdAt);
}

const after = (a: Checkpoint, b: Checkpoint) => {
  const [ta, tb] = [BigInt(a.transactionId), BigInt(b.transactionId)];
  return ta !== tb ? ta > tb : BigInt(a.globalPosition) > BigInt(b.globalPosition);
};

/**
 * The next batch of the log for several projections at once, in one transaction: their
 * checkpoints are locked together (one held by another consumer is left out), the log is read
 * once from the earliest of them, and each applies the events past its own checkpoint, then
 * stores it. The projector's steady state — every projection at the same place — costs one
 * read and one commit a batch instead of one of each per projection. A projection far behind
 * the others (a new one) holds the batch back to where it is until it catches up.
 * Returns how many events the batch read (0 when caught up, or when every checkpoint is held).
 */
export async function processBatches(db: Kysely<Database>, projections: readonly AsyncProjection[], batchSize: number): Promise<number> {
  if (projections.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    const locked = await lockCheckpoints(trx, projections.map((p) => p.name));
    const present = projections.filter((p) => locked.has(p.name));
    if (present.length === 0) return 0;
    const earliest = present.map((p) => locked.get(p.name)!).reduce((min, c) => (after(min, c) ? c : min));
    const events = await readAllBatch(trx, earliest, batchSize, PROJECTING);
    for (const projection of present) {
      const checkpoint = locked.get(projection.name)!;
      await applyAndStore(trx, projection, events.filter((e) => after(checkpointOf(e), checkpoint)));
    }
    return events.length;
  });
}
