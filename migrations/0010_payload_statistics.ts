import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// ANALYZE builds statistics for every column, and for a jsonb column that means sorting and
// comparing tens of thousands of sampled documents: on PGlite `analyze events` took ~600 ms
// at 20,000 leads (26 ms without these two columns), every other statement waiting meanwhile,
// and on PostgreSQL ~0.5 s of a core at each pass. No query filters or sorts on these
// payloads as whole values, so the planner never reads their statistics: target 0 skips them.
const PAYLOADS = [
  ['events', 'data'],
  ['events', 'metadata'],
  ['idempotency_keys', 'response_body'],
  ['postback_deliveries', 'payload'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [table, column] of PAYLOADS) await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} set statistics 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [table, column] of PAYLOADS) await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} set statistics -1`.execute(db);
}
