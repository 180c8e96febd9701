import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.
// A replay drops its projection's secondary indexes and builds them again at the end (a bulk
// build is far cheaper than maintaining them row by row); their definitions wait here, so a
// replay that dies half-way cannot lose them: the next one restores them.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projection_checkpoints').addColumn('replay_indexes', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projection_checkpoints').dropColumn('replay_indexes').execute();
}
