import { sql } from 'kysely';
import type { Compilable, Insertable, Kysely, Selectable, SqlBool } from 'kysely';
import type { Database, EventsTable } from '../db/schema.js';
import { ConcurrencyError, InvalidEventError, type ExpectedVersion } from './errors.js';
import { eventSchemas, type DomainEvent, type EventMetadata, type StoredEvent } from './events.js';
import { toStoredEvent } from './toStoredEvent.js';
import { isUniqueViolation } from '../db/errors.js';

/** The channel every append notifies on commit (NOTIFY is transactional); the payload is `<stream id> <event type>`. */
export const EVENTS_CHANNEL = 'leadgate_events';

/** A notification on EVENTS_CHANNEL: which stream got which type of event. */
export function parseEventNotice(payload: string): { streamId: string; type: string } {
  const space = payload.indexOf(' ');
  return space < 0 ? { streamId: payload, type: '' } : { streamId: payload.slice(0, space), type: payload.slice(space + 1) };
}

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  metadata?: EventMetadata;
  /**
   * Writes to run in the same statement as the insert (data-modifying CTEs), each guarded by
   * APPENDED. With them, an append outside any transaction is still all or nothing.
   */
  alongside?: Compilable[];
}

/** True inside an append's statement only if its events were inserted: the guard of `alongside` writes. */
export const APPENDED = sql<SqlBool>`exists (select 1 from appended)`;

/** Validates every event against its schema; the parsed copy drops fields the schema does not know. */
function validated(events: DomainEvent[]): DomainEvent[] {
  return events.map((e) => {
    const result = eventSchemas[e.type].safeParse(e.data);
    if (!result.success) throw new InvalidEventError(e.type, result.error.message);
    return { type: e.type, data: result.data } as DomainEvent;
  });
}

/** The rows of one stream's new events, numbered from `after + 1`, each validated against its schema. */
function eventRows(streamId: string, events: DomainEvent[], metadata: EventMetadata | undefined, after: number): EventRow[] {
  const meta = JSON.stringify(metadata ?? {});
  return validated(events).map((e, i) => ({ stream_id: streamId, stream_version: after + i + 1, type: e.type, data: JSON.stringify(e.data), metadata: meta, after }));
}

/** Runs an insert of events, turning a (stream_id, stream_version) collision into the ConcurrencyError for `streamId`. */
async function colliding<T>(streamId: string, expected: ExpectedVersion, insert: () => Promise<T>): Promise<T> {
  try {
    return await insert();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConcurrencyError(streamId, expected);
    throw err;
  }
}

/**
 * Appends events to one stream, inside the caller's transaction (`trx`), or as one statement
 * of its own when every write it needs rides along (`options.alongside`). The unique
 * (stream_id, stream_version) constraint is the arbiter: of two appends that expected the
 * same version, including two racing first appends, exactly one commits and the other gets
 * a ConcurrencyError. A failed insert aborts the transaction, so callers retry from the top.
 */
export async function appendToStream(
  trx: Kysely<Database>,
  streamId: string,
  events: DomainEvent[],
  options: AppendOptions,
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  // 'any' means "after whatever is there": serialise such appends per stream so they never
  // collide on a version; explicit versions rely on the unique constraint instead.
  if (options.expectedVersion === 'any') await sql`select pg_advisory_xact_lock(hashtextextended(${`stream:${streamId}`}, 0))`.execute(trx);
  // A new stream needs no check: if it exists after all, version 1 collides. For an explicit
  // version N the insert is guarded in the same statement: version N must exist, and N + 1
  // must not (the unique constraint) — so a stale number fails, and one from the future
  // cannot leave a gap. 'any' reads the head under its lock.
  const expected = options.expectedVersion;
  const base = expected === 'no_stream' ? 0 : expected === 'any' ? await headVersion(trx, streamId) : expected;
  const rows = eventRows(streamId, events, options.metadata, base);
  const guarded = typeof expected === 'number' && expected > 0;
  const stored = await colliding(streamId, expected, () => insertEvents(trx, rows, guarded, options.alongside));
  if (stored.length === 0) throw new ConcurrencyError(streamId, expected);
  return stored;
}

async function headVersion(trx: Kysely<Database>, streamId: string): Promise<number> {
  const row = await trx
    .selectFrom('events')
    .select((eb) => eb.fn.max('stream_version').as('version'))
    .where('stream_id', '=', streamId)
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

export interface NewStream {
  streamId: string;
  events: DomainEvent[];
  metadata?: EventMetadata;
}

/**
 * Starts several streams in one statement (group commit: one insert for a batch of leads),
 * with `alongside` writes in it. Each must be new: if any exists already, its version 1
 * collides and the whole statement fails with a ConcurrencyError naming the first stream, so
 * callers retry the streams one by one.
 */
export async function appendNewStreams(trx: Kysely<Database>, streams: NewStream[], alongside?: Compilable[]): Promise<StoredEvent[]> {
  const rows = streams.flatMap(({ streamId, events, metadata }) => eventRows(streamId, events, metadata, 0));
  if (rows.length === 0) return [];
  return colliding(streams[0]!.streamId, 'no_stream', () => insertEvents(trx, rows, false, alongside));
}

/** One event for an existing stream at an explicit version, with the writes its inline projections make. */
export interface GuardedAppend {
  streamId: string;
  event: DomainEvent;
  expectedVersion: number;
  metadata?: EventMetadata;
  /** Built with `appendedTo(streamId, expectedVersion + 1)` as their guard. */
  alongside: Compilable[];
}

/** True inside a multi-stream append's statement only if this stream's event at this version was inserted. */
export const appendedTo = (streamId: string, version: number) =>
  sql<SqlBool>`exists (select 1 from appended where stream_id = ${streamId} and stream_version = ${version}::integer)`;

/**
 * Appends one event to each of several streams in one statement: group commit for the
 * delivery workers. Each insert is guarded by its own expected version, and a version taken
 * meanwhile is skipped (ON CONFLICT DO NOTHING), so a stale or future version is answered
 * with its ConcurrencyError while the others commit. A stream named twice (two workers on
 * one lead) goes once per statement: its later appends follow, each in its own.
 */
export async function appendToStreams(db: Kysely<Database>, appends: GuardedAppend[]): Promise<(StoredEvent | ConcurrencyError)[]> {
  const streams = new Set<string>();
  const first = appends.filter((a) => !streams.has(a.streamId) && streams.add(a.streamId));
  const rows = first.flatMap((a) => eventRows(a.streamId, [a.event], a.metadata, a.expectedVersion));
  const stored = await insertEvents(db, rows, true, first.flatMap((a) => a.alongside), { skipTaken: true });
  const byStream = new Map(stored.map((e) => [e.streamId, e]));
  const results = new Map<GuardedAppend, StoredEvent | ConcurrencyError>(
    first.map((a) => [a, byStream.get(a.streamId) ?? new ConcurrencyError(a.streamId, a.expectedVersion)]),
  );
  for (const a of appends) if (!results.has(a)) results.set(a, (await appendToStreams(db, [a]))[0]!);
  return appends.map((a) => results.get(a)!);
}

/** An event's row, and the version its stream must be at before it (the insert's guard). */
type EventRow = Pick<Insertable<EventsTable>, 'stream_id' | 'stream_version' | 'type' | 'data' | 'metadata'> & { after: number };

/**
 * One round trip: the insert, and the NOTIFY that wakes consumers when it commits (evaluated
 * per row; PostgreSQL folds identical notifications of a transaction into one). `guarded`:
 * each row goes in only if its stream is at the version before the first new one (its
 * `after`), so a future expected version inserts nothing and leaves no gap; a stale one
 * collides on the unique (stream_id, stream_version), or with `skipTaken` (one event per
 * stream only: a stream's rows must go in all or none) is skipped.
 */
async function insertEvents(
  trx: Kysely<Database>,
  rows: EventRow[],
  guarded = false,
  alongside: Compilable[] = [],
  options: { skipTaken?: boolean } = {},
): Promise<StoredEvent[]> {
  let insert;
  if (!guarded) {
    insert = trx
      .insertInto('events')
      .values(rows.map(({ after: _after, ...row }) => row))
      .returningAll();
  } else {
    const values = sql.join(rows.map((r) => sql`(${r.stream_id}, ${r.stream_version}::integer, ${r.type}, ${r.data}::jsonb, ${r.metadata}::jsonb, ${r.after}::integer)`));
    insert = trx
      .insertInto('events')
      .columns(['stream_id', 'stream_version', 'type', 'data', 'metadata'])
      .expression(
        sql`select v.stream_id, v.stream_version, v.type, v.data, v.metadata from (values ${values}) as v (stream_id, stream_version, type, data, metadata, after)
          where v.after = 0 or exists (select 1 from events e where e.stream_id = v.stream_id and e.stream_version = v.after)`,
      )
      .$if(options.skipTaken === true, (qb) => qb.onConflict((oc) => oc.columns(['stream_id', 'stream_version']).doNothing()))
      .returningAll();
  }
  const writes = alongside.map((w, i) => sql`, ${sql.id(`alongside_${i}`)} as (${w})`);
  const result = await sql<Selectable<EventsTable>>`with appended as (${insert}) ${sql.join(writes, sql``)}
    select *, pg_notify(${EVENTS_CHANNEL}, stream_id || ' ' || type) as notified from appended order by global_position`.execute(trx);
  return result.rows.map(toStoredEvent);
}
