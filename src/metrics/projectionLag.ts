import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface ProjectionLag {
  name: string;
  /** The global position of the last event the projection applied ('0' before its first). */
  position: string;
  /** Events of the log it has not applied yet (head minus position; 0 when caught up). */
  lagEvents: number;
  /** How long the oldest event it has not applied has been waiting; 0 when caught up. */
  lagSeconds: number;
  /** A rebuild is under way: the lag is the rebuild's progress, not a stall. */
  replaying: boolean;
}

/**
 * How far each async projection is behind the log. "Caught up" is decided in the consumers'
 * own order, (transaction_id, global_position) after the checkpoint, on the index they read
 * with: a plain global_position comparison would show a lag of one forever when the last
 * commit's position is lower than an earlier one's. The count is then the cheap head minus
 * position, so a scrape costs two index lookups a projection however far behind it is.
 */
export async function projectionLag(db: Kysely<Database>, names: readonly string[], now = new Date()): Promise<ProjectionLag[]> {
  if (names.length === 0) return [];
  const [head, checkpoints] = await Promise.all([
    db.selectFrom('events').select((eb) => eb.fn.max('global_position').as('head')).executeTakeFirst(),
    db
      .selectFrom('projection_checkpoints')
      .select(['name', sql<string>`transaction_id::text`.as('transaction_id'), 'global_position', 'replay_started_at'])
      .where('name', 'in', [...names])
      .execute(),
  ]);
  const headPosition = Number(head?.head ?? 0);
  return Promise.all(
    names.map(async (name) => {
      const checkpoint = checkpoints.find((c) => c.name === name);
      const transactionId = checkpoint?.transaction_id ?? '0';
      const position = String(checkpoint?.global_position ?? '0');
      const next = await db
        .selectFrom('events')
        .select('created_at')
        .where(sql<boolean>`(transaction_id, global_position) > (${transactionId}::xid8, ${position}::bigint)`)
        .orderBy('transaction_id')
        .orderBy('global_position')
        .limit(1)
        .executeTakeFirst();
      return {
        name,
        position,
        lagEvents: next ? Math.max(headPosition - Number(position), 1) : 0,
        lagSeconds: next ? Math.max((now.getTime() - new Date(next.created_at).getTime()) / 1000, 0) : 0,
        replaying: Boolean(checkpoint?.replay_started_at),
      };
    }),
  );
}
