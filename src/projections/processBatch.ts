import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { readAllBatch, checkpointOf } from '../events/readAllBatch.js';
import type { AsyncProjection } from './asyncProjection.js';
import { lockCheckpoint, storeCheckpoint } from './checkpoints.js';

export type BatchResult = { status: 'applied'; read: number } | { status: 'caught_up' } | { status: 'busy' };

/**
 * Applies the next batch of the log to one projection, in one transaction with its checkpoint.
 * 'busy' means another consumer holds the projection right now.
 */
export async function processBatch(db: Kysely<Database>, projection: AsyncProjection, batchSize: number): Promise<BatchResult> {
  const handled = new Set<string>(projection.handles);
  return db.transaction().execute(async (trx): Promise<BatchResult> => {
    const checkpoint = await lockCheckpoint(trx, projection.name);
    if (!checkpoint) return { status: 'busy' };
    const events = await readAllBatch(trx, checkpoint, batchSize);
    const last = events[events.length - 1];
    if (!last) return { status: 'caught_up' };
    const relevant = events.filter((e) => handled.has(e.type));
    if (relevant.length > 0) await projection.apply(trx, relevant);
    await storeCheckpoint(trx, projection.name, checkpointOf(last), last.createdAt);
    return { status: 'applied', read: events.length };
  });
}
