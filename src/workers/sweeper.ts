import { sql, type Expression, type SqlBool } from 'kysely';
import type { Storage } from '../db/storage.js';
import type { Logger } from '../logger.js';
import { every } from '../periodic.js';
import { enqueueDelivery } from './delivery/deliveryQueue.js';
import type { JobQueues } from './jobQueues.js';

export interface SweeperOptions {
  storage: Storage;
  queues: JobQueues;
  /** A pending lead untouched this long past its scheduled attempt is re-enqueued. */
  staleAfterMs: number;
  intervalMs?: number;
  logger?: Logger;
}

/**
 * A pending lead with nothing happening to it since `cutoff`: its last event and its scheduled
 * attempt (if any) are both older. It came in before that too, which the index on pending
 * leads' arrival finds without reading the others.
 */
export function stuckBefore(cutoff: Date): Expression<SqlBool> {
  return sql<SqlBool>`status = 'pending' and received_at < ${cutoff} and coalesce(next_attempt_at, updated_at) < ${cutoff}`;
}

/**
 * The log is the outbox: a lead accepted but with no outcome and nothing happening to it
 * (a crash between commit and enqueue, a Redis that lost its data) is enqueued again. The
 * job id names the state it was found in, so several sweepers enqueue it once.
 */
export async function sweepOnce(options: SweeperOptions): Promise<number> {
  const cutoff = new Date(Date.now() - options.staleAfterMs);
  const stuck = await options.storage.db
    .selectFrom('leads')
    .select(['lead_id', 'updated_at'])
    .where(stuckBefore(cutoff))
    .orderBy('received_at')
    .limit(500)
    .execute();
  for (const lead of stuck) await enqueueDelivery(options.queues, lead.lead_id, `sweep-${new Date(lead.updated_at).getTime()}`);
  if (stuck.length > 0) options.logger?.info({ leads: stuck.length }, 'sweeper re-enqueued stuck leads');
  return stuck.length;
}

export function startSweeper(options: SweeperOptions): { stop: () => Promise<void> } {
  return every(
    options.intervalMs ?? Math.min(30_000, options.staleAfterMs),
    () => sweepOnce(options),
    (err) => options.logger?.warn({ err: err.message }, 'sweep failed'),
  );
}
