import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { EventType, StoredEvent } from '../events/events.js';

/**
 * A read model built behind the log by a checkpointed consumer, and rebuilt from the log by
 * replay. `apply` receives a batch of the events it handles, in commit order, inside the
 * transaction that also stores the checkpoint: the writes and the position commit together.
 * It must be deterministic (event times, never the clock) so a replay ends identical.
 */
export interface AsyncProjection {
  name: string;
  handles: readonly EventType[];
  /** The tables replay empties before rebuilding. */
  tables: readonly (keyof Database & string)[];
  apply(trx: Transaction<Database>, events: StoredEvent[]): Promise<void>;
}
