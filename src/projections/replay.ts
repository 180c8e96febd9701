import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { SETTLED, START, atOrBefore } from '../events/readAllBatch.js';
import type { AsyncProjection } from './asyncProjection.js';
import { behindHead, ensureCheckpoint, lockCheckpoint, logHead, storeCheckpoint } from './checkpoints.js';
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
 * A projection's SQL rebuild (see AsyncProjection.rebuild) up to the log's gap-safe head, with
 * its checkpoint, in one transaction. Undefined when it cannot run: another consumer holds the
 * projection or has already applied a batch since the reset (the batches then finish the job).
 * Returns how many events of the log the rebuild covered.
 */
async function rebuildInSql(db: Kysely<Database>, projection: AsyncProjection): Promise<number | undefined> {
  const rebuild = projection.rebuild;
  if (!rebuild) return undefined;
  return db.transaction().execute(async (trx) => {
    const checkpoint = await lockCheckpoint(trx, projection.name);
    if (!checkpoint || checkpoint.globalPosition !== START.globalPosition) return undefined;
    // The last event below the oldest open transaction: everything up to it is final (readAllBatch).
    const last = await trx
      .selectFrom('events')
      .select([sql<string>`transaction_id::text`.as('transaction_id'), 'global_position', 'created_at'])
      .where(SETTLED)
      // The column, not the text alias above: text order is not xid order ('999' > '1000'),
      // and only the column's order walks the commit-order index instead of sorting the log.
      .orderBy(sql.ref('events.transaction_id'), 'desc')
      .orderBy('global_position', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!last) return 0;
    const upTo = { transactionId: last.transaction_id, globalPosition: String(last.global_position) };
    await rebuild(trx, upTo);
    await storeCheckpoint(trx, projection.name, upTo, last.created_at);
    const { covered } = await trx
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<string>().as('covered'))
      .where(atOrBefore(upTo))
      .executeTakeFirstOrThrow();
    return Number(covered);
  });
}

/**
 * Drops and rebuilds each projection from the log: in SQL when it has a rebuild, then (or
 * else) batch by batch. Consumers running elsewhere may help (batches stay exclusive); the
 * rebuild ends when the projection has caught up with the log.
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
    // Then batches carry it from where the SQL rebuild (if any) stopped to the head.
    const rebuilt = await rebuildInSql(db, projection);
    if (rebuilt !== undefined) {
      progress.done += rebuilt;
      options.onProgress?.(progress);
    }
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
