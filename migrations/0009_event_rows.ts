import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
// The row source of an event append: the batch's columns as arrays, one row per event, in
// array order. `unnest` of a bound array is estimated at 100 rows in a generic plan and at its
// true length in a custom one, so PostgreSQL judged every append's generic plan dearer than
// planning it again, and planned each run afresh (~0.3–0.45 ms, more than the append itself).
// Declared STRICT, this SQL function is not inlined, and its ROWS estimate holds in both
// plans: after five runs the prepared append keeps its generic plan, which looks events and
// leads up by index as the custom plans did.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function event_rows(stream_ids text[], stream_versions integer[], types text[], afters integer[])
      returns table (stream_id text, stream_version integer, type text, after integer, n bigint)
      language sql immutable strict parallel safe rows 2
      as $$ select * from unnest(stream_ids, stream_versions, types, afters) with ordinality $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function event_rows(text[], integer[], text[], integer[])`.execute(db);
}
