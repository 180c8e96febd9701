import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { EventType, StoredEvent } from '../events/events.js';
import type { Checkpoint } from '../events/readAllBatch.js';

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
  /**
   * Replay's fast path: fills the emptied tables from every event up to `upTo` (commit
   * order) in SQL, to exactly the rows `apply` would have written from the same events.
   */
  rebuild?(trx: Transaction<Database>, upTo: Checkpoint): Promise<void>;
}
