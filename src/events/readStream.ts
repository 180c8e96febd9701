import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { StoredEvent } from './events.js';
import { toStoredEvent } from './toStoredEvent.js';

/** One stream's events in version order. */
export async function readStream(db: Kysely<Database>, streamId: string): Promise<StoredEvent[]> {
  const rows = await db.selectFrom('events').selectAll().where('stream_id', '=', streamId).orderBy('stream_version').execute();
  return rows.map(toStoredEvent);
}
