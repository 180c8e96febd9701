import type { Selectable } from 'kysely';
import type { EventsTable } from '../db/schema.js';
import type { DomainEvent, EventMetadata, StoredEvent } from './events.js';

/** Maps an events row to the typed event; the row was validated against its schema when appended. */
export function toStoredEvent(row: Selectable<EventsTable>): StoredEvent {
  return {
    type: row.type,
    data: row.data,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    globalPosition: String(row.global_position),
    transactionId: String(row.transaction_id),
    metadata: row.metadata as EventMetadata,
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
  } as StoredEvent<DomainEvent>;
}
