import { sql, type Kysely } from 'kysely';
import type { Database, EventsTable } from '../db/schema.js';
import type { StoredEvent } from './events.js';
import { toStoredEvent } from './toStoredEvent.js';

/** Where a consumer is in the log: the last (transaction_id, global_position) it applied. */
export interface Checkpoint {
  transactionId: string;
  globalPosition: string;
}

export const START: Checkpoint = { transactionId: '0', globalPosition: '0' };

/** Events of transactions that can no longer commit: nothing can appear among them later. */
export const SETTLED = sql<boolean>`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

/** Events at or before a checkpoint, in commit order. */
export const atOrBefore = (checkpoint: Checkpoint) =>
  sql<boolean>`(transaction_id, global_position) <= (${checkpoint.transactionId}::xid8, ${checkpoint.globalPosition}::bigint)`;

export interface ReadAllOptions {
  /**
   * Leaves out the CRM exchange the delivery outcomes record (`data.http`, optional in their
   * schemas): most of their size, and read by no projection. For consumers that only project.
   */
  withoutHttp?: boolean;
}

/**
 * The next events after a checkpoint, in commit order and without gaps.
 *
 * global_position is assigned at insert, not at commit, so a plain `global_position > N`
 * skips an event whose transaction commits after a later one was already read. Reading only
 * below pg_snapshot_xmin (the oldest transaction still running) holds back everything an
 * open transaction might still add before it, and ordering by (transaction_id,
 * global_position) gives every consumer the same order. The approach of Emmett's
 * PostgreSQL event store.
 */
export async function readAllBatch(db: Kysely<Database>, after: Checkpoint, limit: number, options: ReadAllOptions = {}): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('events')
    .select(['global_position', 'stream_id', 'stream_version', 'type', 'metadata', 'transaction_id', 'created_at'])
    .select(options.withoutHttp ? sql<EventsTable['data']>`data - 'http'`.as('data') : 'data')
    .where(
      sql<boolean>`(transaction_id, global_position) > (${after.transactionId}::xid8, ${after.globalPosition}::bigint)`,
    )
    .where(SETTLED)
    .orderBy('transaction_id')
    .orderBy('global_position')
    .limit(limit)
    .execute();
  return rows.map(toStoredEvent);
}

export function checkpointOf(event: Pick<StoredEvent, 'transactionId' | 'globalPosition'>): Checkpoint {
  return { transactionId: event.transactionId, globalPosition: event.globalPosition };
}
