import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { StoredEvent } from './events.js';
import { toStoredEvent } from './toStoredEvent.js';

/** One stream's events in version order. */
export async function readStream(db: Kysely<Database>, streamId: string): Promise<StoredEvent[]> {
  const rows = await db.selectFrom('events').selectAll().where('stream_id', '=', streamId).orderBy('stream_version').execute();
  return rows.map(toStoredEvent);
}

/**
 * Several streams' events in one query, each in version order; a stream with no events maps
 * to []. The ids go as one array parameter: every batch size is the same statement text, so
 * one prepared statement (and one plan) serves them all, instead of one per size of IN list.
 */
export async function readStreams(db: Kysely<Database>, streamIds: string[]): Promise<Map<string, StoredEvent[]>> {
  const streams = new Map<string, StoredEvent[]>(streamIds.map((id) => [id, []]));
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where(sql<boolean>`stream_id = any(${[...streams.keys()]}::text[])`)
    .orderBy('stream_id')
    .orderBy('stream_version')
    .execute();
  for (const row of rows) streams.get(row.stream_id)!.push(toStoredEvent(row));
  return streams;
}
