import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { START } from '../events/readAllBatch.js';
import type { AsyncProjection } from './asyncProjection.js';
import { behindHead, ensureCheckpoint, logHead, storeCheckpoint } from './checkpoints.js';
import { processBatch } from './processBatch.js';
import { dropIndexesForReplay, restoreReplayIndexes } from './replayIndexes.js';

export interface ReplayProgress {
  projection: string;
  /** Events of the log read so far in this rebuild. */
  done: number;
  /** Events in the log when the rebuild started. */
  total: number;
}

/**
 * Empties a projection, drops its secondary indexes until the rebuild ends, and rewinds its
 * checkpoint, in one transaction that waits for any consumer's batch in flight (it takes the
 * checkpoint row lock without SKIP LOCKED).
 * Returns how many events the log holds now: the rebuild's measure of progress.
 */
export async function resetProjection(db: Kysely<Database>, projection: AsyncProjection): Promise<number> {
  await ensureCheckpoint(db, projection.name);
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('projection_checkpoints').select('name').where('name', '=', projection.name).forUpdate().execute();
    for (const table of projection.tables) await sql`truncate table ${sql.table(table)}`.execute(trx);
    await dropIndexesForReplay(trx, projection);
    await storeCheckpoint(trx, projection.name, START, new Date());
    const { total, head } = await trx
      .selectFrom('events')
      .select((eb) => [eb.fn.countAll<string>().as('total'), eb.fn.max('global_position').as('head')])
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('projection_checkpoints')
      .set({ replay_started_at: new Date(), replay_target_position: head ?? 0 })
      .where('name', '=', projection.name)
      .execute();
    return Number(total);
  });
}

/**
 * Drops and rebuilds each projection from the log. Consumers running elsewhere may help
 * (batches stay exclusive); the rebuild ends when the projection has caught up with the log.
 */
export async function replayProjections(
  db: Kysely<Database>,
  projections: readonly AsyncProjection[],
  options: { batchSize?: number; onProgress?: (p: ReplayProgress) => void } = {},
): Promise<ReplayProgress[]> {
  const results: ReplayProgress[] = [];
  for (const projection of projections) {
    const total = await resetProjection(db, projection);
    const head = await logHead(db);
    const progress: ReplayProgress = { projection: projection.name, done: 0, total };
    options.onProgress?.(progress);
    for (;;) {
      const result = await processBatch(db, projection, options.batchSize ?? 2000);
      if (result.status === 'caught_up') {
        // Everything in the log when the rebuild began must be in it when it ends.
        if (!head || !(await behindHead(db, projection.name, head))) break;
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      if (result.status === 'busy') {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      progress.done += result.read;
      options.onProgress?.(progress);
    }
    progress.total = Math.max(progress.total, progress.done);
    await restoreReplayIndexes(db, projection.name);
    await db
      .updateTable('projection_checkpoints')
      .set({ replay_started_at: null, replay_target_position: null })
      .where('name', '=', projection.name)
      .execute();
    options.onProgress?.(progress);
    results.push(progress);
  }
  return results;
}
