import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, SavedIndex } from '../db/schema.js';

/** The indexes of these tables that no constraint owns (primary keys and unique constraints stay). */
async function secondaryIndexes(trx: Transaction<Database>, tables: readonly string[]): Promise<SavedIndex[]> {
  const rows = await sql<SavedIndex>`
    select ic.relname as name, pg_get_indexdef(x.indexrelid) as definition
    from pg_index x
    join pg_class ic on ic.oid = x.indexrelid
    join pg_class tc on tc.oid = x.indrelid
    where tc.relname = any(${[...tables]}::text[])
      and tc.relnamespace = current_schema()::regnamespace
      and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid)
    order by ic.relname`.execute(trx);
  return rows.rows;
}

/**
 * Drops a projection's secondary indexes for its rebuild, inside the reset's transaction, and
 * records their definitions in its checkpoint row: inserting half a million rows into a table
 * with seven indexes costs far more than building the indexes once at the end. Definitions
 * left by a replay that died are kept, so they are restored however often this runs.
 */
export async function dropIndexesForReplay(trx: Transaction<Database>, projection: { name: string; tables: readonly string[] }): Promise<void> {
  const row = await trx.selectFrom('projection_checkpoints').select('replay_indexes').where('name', '=', projection.name).executeTakeFirst();
  const saved = new Map((row?.replay_indexes ?? []).map((i) => [i.name, i]));
  for (const index of await secondaryIndexes(trx, projection.tables)) {
    saved.set(index.name, index);
    await sql`drop index ${sql.id(index.name)}`.execute(trx);
  }
  await trx
    .updateTable('projection_checkpoints')
    .set({ replay_indexes: saved.size > 0 ? JSON.stringify([...saved.values()]) : null })
    .where('name', '=', projection.name)
    .execute();
}

/** Index builds at once: each sorts on a core of its own, and a replay has the machine to itself. */
const BUILDS_AT_ONCE = 2;

/**
 * Builds the indexes a replay dropped (those not there yet), two at a time (CREATE INDEX
 * takes a share lock, which a second build does not wait on), then forgets their definitions.
 */
export async function restoreReplayIndexes(db: Kysely<Database>, name: string): Promise<number> {
  const row = await db.selectFrom('projection_checkpoints').select('replay_indexes').where('name', '=', name).executeTakeFirst();
  const queue = [...(row?.replay_indexes ?? [])];
  let built = 0;
  const builder = async () => {
    for (let index = queue.shift(); index; index = queue.shift()) {
      const exists = await sql<{ found: string | null }>`select to_regclass(${index.name})::text as found`.execute(db);
      if (exists.rows[0]?.found) continue;
      await sql.raw(index.definition).execute(db);
      built++;
    }
  };
  await Promise.all(Array.from({ length: BUILDS_AT_ONCE }, builder));
  await db.updateTable('projection_checkpoints').set({ replay_indexes: null }).where('name', '=', name).execute();
  return built;
}
