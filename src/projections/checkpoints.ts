import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Checkpoint } from '../events/readAllBatch.js';

export async function ensureCheckpoint(db: Kysely<Database>, name: string): Promise<void> {
  await db.insertInto('projection_checkpoints').values({ name }).onConflict((oc) => oc.column('name').doNothing()).execute();
}

/**
 * Locks the projection's checkpoint row for this transaction, or answers undefined when
 * another consumer holds it. The row lock is the lease: two processes never apply the same
 * batch, and a crashed holder's lock goes with its connection.
 */
export async function lockCheckpoint(trx: Transaction<Database>, name: string): Promise<Checkpoint | undefined> {
  return (await lockCheckpoints(trx, [name])).get(name);
}

/** lockCheckpoint for several projections in one statement: the checkpoints this transaction now holds, by name (skip locked). */
export async function lockCheckpoints(trx: Transaction<Database>, names: string[]): Promise<Map<string, Checkpoint>> {
  const rows = await trx
    .selectFrom('projection_checkpoints')
    .select(['name', sql<string>`transaction_id::text`.as('transaction_id'), 'global_position'])
    .where('name', 'in', names)
    .forUpdate()
    .skipLocked()
    .execute();
  return new Map(rows.map((row) => [row.name, { transactionId: row.transaction_id, globalPosition: String(row.global_position) }]));
}

export async function storeCheckpoint(trx: Transaction<Database>, name: string, checkpoint: Checkpoint, at: Date): Promise<void> {
  await trx
    .updateTable('projection_checkpoints')
    .set({
      transaction_id: sql<string>`${checkpoint.transactionId}::xid8`,
      global_position: checkpoint.globalPosition,
      updated_at: at,
    })
    .where('name', '=', name)
    .execute();
}

/**
 * Whether some event at or below `head` is not yet applied to the projection. The gap-safe
 * read holds events back behind any transaction still open on the server (in any database),
 * so "the batch came back empty" is not the same as "everything up to here is applied".
 */
export async function behindHead(db: Kysely<Database>, name: string, head: string): Promise<boolean> {
  const row = await db
    .selectFrom('events')
    .select('global_position')
    .where('global_position', '<=', head)
    .where(sql<boolean>`(transaction_id, global_position) > (select transaction_id, global_position from projection_checkpoints where name = ${name})`)
    // In commit order, so it walks the commit-order index from the checkpoint: caught up,
    // there is nothing after it. Unordered, PostgreSQL scanned the whole log to find no row
    // (0.4-1 s on a million events, at the end of every replay and catch-up).
    .orderBy('transaction_id')
    .orderBy('global_position')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function logHead(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db.selectFrom('events').select((eb) => eb.fn.max('global_position').as('head')).executeTakeFirst();
  return row?.head ?? undefined;
}
