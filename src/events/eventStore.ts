import type { OperationNodeSource, Expression, Kysely, SqlBool, Transaction } from 'kysely';
import { GroupCommit } from '../db/groupCommit.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import {
  APPENDED,
  appendNewStreams,
  appendToStream,
  appendToStreams,
  newStreamsInsert,
  type AppendOptions,
  type GuardedAppend,
  type NewStream,
  type NewStreamsInsert,
} from './appendToStream.js';
import { ConcurrencyError } from './errors.js';
import type { DomainEvent, EventType, StoredEvent } from './events.js';
import { readAllBatch, type Checkpoint } from './readAllBatch.js';
import { readStream, readStreams } from './readStream.js';

/**
 * A projection applied in the append's own transaction: the state the hot path and the
 * console read (keys, whitelists, integrations, lead status) is never behind the log.
 */
export interface InlineProjection {
  name: string;
  handles: readonly EventType[];
  /** `trx`: the append's transaction (a Transaction, or a connection held between BEGIN and COMMIT). */
  apply(trx: Kysely<Database>, events: StoredEvent[]): Promise<void>;
  /**
   * The same writes for one event as statements that can ride along in the append's own
   * statement (data-modifying CTEs), each guarded by `appended` — true only if the event was
   * stored. Lets a lone append skip BEGIN and COMMIT. Undefined: the append takes a transaction.
   */
  writesFor?(db: Kysely<Database>, event: PendingEvent, appended: Expression<SqlBool>): OperationNodeSource[] | undefined;
  /**
   * The writes for a batch of lone appends to different streams (group commit), riding in
   * their insert's statement and computed there from the CTE `appended` — the rows actually
   * inserted, so an append refused for its version writes nothing. Written without
   * parameters: the statement's text does not depend on the batch, and is prepared once.
   * They may touch only rows that belong to each event's own stream (PostgreSQL does not
   * order two changes to one row within a statement). Undefined: such events are not batched.
   */
  writesForAppended?(db: Kysely<Database>): OperationNodeSource[];
  /**
   * The writes for the first events of several new streams (a batch of leads), as statements
   * riding along in their insert's statement. No guard: that statement stores all of its
   * events or fails. Undefined: they are applied after the insert.
   */
  writesForNewStreams?(db: Kysely<Database>, events: PendingEvent[]): OperationNodeSource[] | undefined;
}

/** An event about to be appended, with the stream version it will get. */
export type PendingEvent = DomainEvent & { streamVersion: number };

export interface AppendRequest extends AppendOptions {
  /** Append inside this transaction (with other writes); else the store opens one. */
  trx?: Transaction<Database>;
}

export interface EventStoreOptions {
  /**
   * Group commit (the default): concurrent lone appends at explicit versions share one
   * statement, and concurrent stream reads one query, as the delivery workers' jobs do.
   */
  groupCommit?: boolean;
  logger?: Logger;
}

/** Appends or reads per batch at most, and batches running at once. */
const BATCH = { maxBatch: 100, appendsInFlight: 2, readsInFlight: 4 };

export class EventStore {
  private readonly inlineByType = new Map<EventType, InlineProjection[]>();
  private readonly appends?: GroupCommit<GuardedAppend, StoredEvent | ConcurrencyError>;
  private readonly reads?: GroupCommit<string, StoredEvent[]>;

  constructor(
    readonly db: Kysely<Database>,
    private readonly inline: InlineProjection[] = [],
    options: EventStoreOptions = {},
  ) {
    for (const projection of inline) {
      for (const type of projection.handles) {
        this.inlineByType.set(type, [...(this.inlineByType.get(type) ?? []), projection]);
      }
    }
    if (options.groupCommit ?? true) {
      const { logger } = options;
      this.appends = new GroupCommit(async (appends) => (await appendToStreams(db, appends, this.appendedWrites(appends))).map((value) => ({ value })), {
        maxBatch: BATCH.maxBatch,
        maxInFlight: BATCH.appendsInFlight,
        label: 'event append',
        logger,
      });
      this.reads = new GroupCommit(
        async (ids) => {
          const streams = await readStreams(db, ids);
          // A copy each: two callers reading one stream must not share an array.
          return ids.map((id) => ({ value: [...streams.get(id)!] }));
        },
        { maxBatch: BATCH.maxBatch, maxInFlight: BATCH.readsInFlight, label: 'stream read', logger },
      );
    }
  }

  async append(streamId: string, events: DomainEvent[], request: AppendRequest): Promise<StoredEvent[]> {
    const { expectedVersion, trx } = request;
    if (this.appends && !trx && !request.alongside && events.length === 1 && typeof expectedVersion === 'number' && expectedVersion > 0 && this.batchable(events[0]!.type)) {
      const stored = await this.appends.submit({ streamId, event: events[0]!, expectedVersion, metadata: request.metadata });
      if (stored instanceof ConcurrencyError) throw stored;
      return [stored];
    }
    const writes = trx ? undefined : this.inlineWrites(events, expectedVersion, APPENDED);
    if (writes) return appendToStream(this.db, streamId, events, { ...request, alongside: writes });
    const run = async (trx: Transaction<Database>) => {
      const stored = await appendToStream(trx, streamId, events, request);
      await this.applyInline(trx, stored);
      return stored;
    };
    return request.trx ? run(request.trx) : this.db.transaction().execute(run);
  }

  /**
   * Starts several new streams in one insert inside the caller's transaction (`trx`: a
   * Transaction, or a connection held between BEGIN and COMMIT), with their inline
   * projections: in the same statement when each can write there, else after it.
   */
  async appendNewStreams(trx: Kysely<Database>, streams: NewStream[]): Promise<StoredEvent[]> {
    const alongside = this.newStreamWrites(streams);
    const stored = await appendNewStreams(trx, streams, alongside);
    if (!alongside) await this.applyInline(trx, stored);
    return stored;
  }

  /**
   * appendNewStreams as one statement to send through a TransactionPipe, for streams whose
   * every inline projection writes within it (a lead's LeadReceived: its `leads` row).
   */
  newStreamsInsert(streams: NewStream[]): NewStreamsInsert {
    const alongside = this.newStreamWrites(streams);
    if (!alongside) throw new Error('an inline projection of these events cannot write within the insert');
    return newStreamsInsert(this.db, streams, alongside);
  }

  readStream(streamId: string, db: Kysely<Database> = this.db): Promise<StoredEvent[]> {
    return this.reads && db === this.db ? this.reads.submit(streamId) : readStream(db, streamId);
  }

  readAllBatch(after: Checkpoint, limit: number, db: Kysely<Database> = this.db): Promise<StoredEvent[]> {
    return readAllBatch(db, after, limit);
  }

  /**
   * One event at an explicit version whose every inline projection can write within the
   * append's statement: the append is then one statement, atomic without a transaction.
   * (Two events could change one row twice in a statement, which PostgreSQL does not order.)
   */
  private inlineWrites(events: DomainEvent[], expectedVersion: AppendOptions['expectedVersion'], appended: Expression<SqlBool>): OperationNodeSource[] | undefined {
    if (events.length !== 1 || typeof expectedVersion !== 'number') return undefined;
    const pending = { ...events[0]!, streamVersion: expectedVersion + 1 } as PendingEvent;
    const writes: OperationNodeSource[] = [];
    for (const projection of this.inlineByType.get(pending.type) ?? []) {
      const own = projection.writesFor?.(this.db, pending, appended);
      if (!own) return undefined;
      writes.push(...own);
    }
    return writes;
  }

  /** Whether a lone append of this type can join a group commit: every inline projection of it writes from `appended`. */
  private batchable(type: EventType): boolean {
    return (this.inlineByType.get(type) ?? []).every((p) => p.writesForAppended);
  }

  /** The writes of every inline projection of the batch's event types, in registration order (one text per set of projections). */
  private appendedWrites(appends: GuardedAppend[]): OperationNodeSource[] {
    const projections = new Set<InlineProjection>();
    for (const a of appends) for (const p of this.inlineByType.get(a.event.type) ?? []) projections.add(p);
    return this.inline.filter((p) => projections.has(p)).flatMap((p) => p.writesForAppended!(this.db));
  }

  private newStreamWrites(streams: NewStream[]): OperationNodeSource[] | undefined {
    const pending = streams.flatMap((s) => s.events.map((e, i) => ({ ...e, streamVersion: i + 1 }) as PendingEvent));
    const writes: OperationNodeSource[] = [];
    for (const [projection, events] of this.byProjection(pending)) {
      const own = projection.writesForNewStreams?.(this.db, events);
      if (!own) return undefined;
      writes.push(...own);
    }
    return writes;
  }

  private async applyInline(trx: Kysely<Database>, stored: StoredEvent[]): Promise<void> {
    for (const [projection, events] of this.byProjection(stored)) await projection.apply(trx, events);
  }

  /** The events each inline projection handles, in order. */
  private byProjection<E extends DomainEvent>(events: E[]): Map<InlineProjection, E[]> {
    const grouped = new Map<InlineProjection, E[]>();
    for (const e of events) {
      for (const p of this.inlineByType.get(e.type) ?? []) grouped.set(p, grouped.get(p) ?? []).get(p)!.push(e);
    }
    return grouped;
  }
}
