import { sql } from 'kysely';
import type { CompiledQuery, OperationNodeSource, Kysely, RawBuilder, Selectable, SqlBool } from 'kysely';
import type { Database, EventsTable } from '../db/schema.js';
import { ConcurrencyError, InvalidEventError, type ExpectedVersion } from './errors.js';
import { eventSchemas, type DomainEvent, type EventMetadata, type EventType, type StoredEvent } from './events.js';
import { toStoredEvent } from './toStoredEvent.js';
import { LEAD_OUTCOMES, LEAD_STREAM_PREFIX } from './types/lead.js';
import { isUniqueViolation } from '../db/errors.js';

/**
 * The channels appends notify on commit (NOTIFY is transactional). EVENTS_CHANNEL: every
 * stream but leads', each event as `<stream id> <event type>` (configuration changes clear
 * the processes' caches). LEAD_EVENTS_CHANNEL: a lead's outcome (NOTICE_WITH_DATA) as
 * `<stream id> <event type> <data as JSON>`, which a request waiting for it answers from, and
 * any other lead event as LEAD_WAKE, identical payloads that PostgreSQL folds into one per
 * transaction: the projections only need waking, and a process that waits for no outcome
 * (a worker) need not hear of every lead.
 */
export const EVENTS_CHANNEL = 'leadgate_events';
export const LEAD_EVENTS_CHANNEL = 'leadgate_lead_events';
export const LEAD_WAKE = 'lead';

/**
 * Event types whose notification carries their data (less the recorded HTTP exchange, and only
 * while the payload stays well under PostgreSQL's 8,000-byte limit): a lead's outcomes, so an
 * intake request waiting for one answers from the notification instead of reading it back.
 */
const NOTICE_WITH_DATA: readonly EventType[] = LEAD_OUTCOMES;
const NOTICE_DATA_MAX_BYTES = 7000;

/** A notification on EVENTS_CHANNEL: which stream got which type of event (and its data, for NOTICE_WITH_DATA types when small). */
export interface EventNotice {
  streamId: string;
  type: string;
  data?: Record<string, unknown>;
}

/**
 * A notification's parts. Anyone who may run NOTIFY on the database can send one, so a payload
 * that is not what appends send never throws: data that is not a JSON object is left out, and
 * the notice is then only a wake-up, as one too large to carry its data.
 */
export function parseEventNotice(payload: string): EventNotice {
  const streamId = noticeStreamId(payload);
  const typeAt = streamId.length + 1;
  if (typeAt > payload.length) return { streamId, type: '' };
  const second = payload.indexOf(' ', typeAt);
  if (second < 0) return { streamId, type: payload.slice(typeAt) };
  const type = payload.slice(typeAt, second);
  const data = jsonObject(payload.slice(second + 1));
  return data ? { streamId, type, data } : { streamId, type };
}

/** The stream a notification names, without reading the rest of it. */
export function noticeStreamId(payload: string): string {
  const space = payload.indexOf(' ');
  return space < 0 ? payload : payload.slice(0, space);
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  metadata?: EventMetadata;
  /**
   * Writes to run in the same statement as the insert (data-modifying CTEs), each guarded by
   * APPENDED. With them, an append outside any transaction is still all or nothing.
   */
  alongside?: OperationNodeSource[];
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
  const meta = metadata ?? {};
  return validated(events).map((e, i) => ({ stream_id: streamId, stream_version: after + i + 1, type: e.type, data: e.data, metadata: meta, after }));
}

/** Runs an insert of events, turning a (stream_id, stream_version) collision into the ConcurrencyError for `streamId`. */
async function colliding<T>(streamId: string, expected: ExpectedVersion, insert: () => Promise<T>): Promise<T> {
  try {
    return await insert();
  } catch (err) {
    throw collision(err, streamId, expected);
  }
}

/** A (stream_id, stream_version) collision as the ConcurrencyError for `streamId`; any other error as it is. */
function collision(err: unknown, streamId: string, expected: ExpectedVersion): unknown {
  return isUniqueViolation(err) ? new ConcurrencyError(streamId, expected) : err;
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
export async function appendNewStreams(trx: Kysely<Database>, streams: NewStream[], alongside: OperationNodeSource[] = []): Promise<StoredEvent[]> {
  if (streams.every((s) => s.events.length === 0)) return [];
  const insert = newStreamsInsert(trx, streams, alongside);
  try {
    return insert.stored((await trx.executeQuery(insert.query)).rows);
  } catch (err) {
    throw insert.collided(err);
  }
}

/** appendNewStreams as a statement to send through a TransactionPipe: the statement, the stored events from its rows, and its failure as appendNewStreams reports it. */
export interface NewStreamsInsert {
  query: CompiledQuery<InsertedRow>;
  stored(inserted: InsertedRow[]): StoredEvent[];
  collided(err: unknown): unknown;
}

export function newStreamsInsert(db: Kysely<Database>, streams: NewStream[], alongside: OperationNodeSource[]): NewStreamsInsert {
  const rows = streams.flatMap(({ streamId, events, metadata }) => eventRows(streamId, events, metadata, 0));
  return {
    query: compiledInsert(db, rows, false, alongside),
    stored: (inserted) => storedFrom(rows, inserted),
    collided: (err) => collision(err, streams[0]!.streamId, 'no_stream'),
  };
}

/** One event for an existing stream at an explicit version. */
export interface GuardedAppend {
  streamId: string;
  event: DomainEvent;
  expectedVersion: number;
  metadata?: EventMetadata;
}

/**
 * Appends one event to each of several streams in one statement: group commit for the
 * delivery workers. Each insert is guarded by its own expected version, and a version taken
 * meanwhile is skipped (ON CONFLICT DO NOTHING), so a stale or future version is answered
 * with its ConcurrencyError while the others commit. `alongside`: the inline projections'
 * writes, which read the rows actually inserted from `appended`. A stream named twice (two
 * workers on one lead) goes once per statement: its later appends follow, each in its own.
 */
export async function appendToStreams(db: Kysely<Database>, appends: GuardedAppend[], alongside: OperationNodeSource[]): Promise<(StoredEvent | ConcurrencyError)[]> {
  const streams = new Set<string>();
  const first = appends.filter((a) => !streams.has(a.streamId) && streams.add(a.streamId));
  const rows = first.flatMap((a) => eventRows(a.streamId, [a.event], a.metadata, a.expectedVersion));
  const stored = await insertEvents(db, rows, true, alongside, { skipTaken: true });
  const byStream = new Map(stored.map((e) => [e.streamId, e]));
  const results = new Map<GuardedAppend, StoredEvent | ConcurrencyError>(
    first.map((a) => [a, byStream.get(a.streamId) ?? new ConcurrencyError(a.streamId, a.expectedVersion)]),
  );
  for (const a of appends) if (!results.has(a)) results.set(a, (await appendToStreams(db, [a], alongside))[0]!);
  return appends.map((a) => results.get(a)!);
}

/** An event's row, and the version its stream must be at before it (the insert's guard). */
export interface EventRow {
  stream_id: string;
  stream_version: number;
  type: DomainEvent['type'];
  data: DomainEvent['data'];
  metadata: EventMetadata;
  after: number;
}

/** What the insert reads back of each row it stored: the data and metadata it sent are already at hand. */
export type InsertedRow = Pick<Selectable<EventsTable>, 'stream_id' | 'stream_version' | 'global_position' | 'transaction_id' | 'created_at'>;

/**
 * One round trip: the insert, and the NOTIFY that wakes consumers when it commits (evaluated
 * per row; PostgreSQL folds identical notifications of a transaction into one). The rows
 * travel as one array per column, except data and metadata, which go as one JSON document
 * (nested, so not encoded twice, and no element-by-element escaping by pg). The row source
 * is `event_rows` (migration 0009) over those arrays, estimated at a couple of rows in every
 * plan: a JSON row source or a bare `unnest` is assumed 100 rows, which scans events and leads
 * whole for the guard and the projection's joins, or (unnest's custom plans knowing the true
 * length) had PostgreSQL plan every run afresh rather than keep the generic plan, see
 * PreparingClient. Only positions come back; the stored events are completed from the rows
 * sent. `guarded`: each row goes in only if its stream is at the version before the
 * first new one (its `after`), so a future expected version inserts nothing and leaves no
 * gap; a stale one collides on the unique (stream_id, stream_version), or with `skipTaken`
 * (one event per stream only: a stream's rows must go in all or none) is skipped.
 */
async function insertEvents(
  trx: Kysely<Database>,
  rows: EventRow[],
  guarded = false,
  alongside: OperationNodeSource[] = [],
  options: { skipTaken?: boolean } = {},
): Promise<StoredEvent[]> {
  const result = await trx.executeQuery(compiledInsert(trx, rows, guarded, alongside, options));
  return storedFrom(rows, result.rows);
}

/** Statement shapes remembered at most (there are a handful: lone and grouped appends, new streams, per event type). */
const MAX_SHAPES = 64;
const insertShapes = new Map<string, CompiledQuery<InsertedRow>>();

/**
 * insertEventsQuery compiled, from its text by shape when that is known: the statement's text
 * depends only on the guard, skipTaken and the text of the writes riding along, and its
 * parameters are the insert's own (insertParameters) followed by those writes' own. Building
 * and compiling the whole query tree for every batch cost more CPU than the rest of the
 * append; now a shape is compiled once, and kept only if its parameters come out exactly as
 * assembled here. (Exported for its test.)
 */
export function compiledInsert(
  db: Kysely<Database>,
  rows: EventRow[],
  guarded: boolean,
  alongside: OperationNodeSource[],
  options: { skipTaken?: boolean } = {},
): CompiledQuery<InsertedRow> {
  const writes = alongside.map((w) => sql`${w}`.compile(db));
  const shape = `${guarded} ${options.skipTaken === true}\n${writes.map((w) => w.sql).join('\n;\n')}`;
  const parameters = [...insertParameters(rows), ...writes.flatMap((w) => w.parameters)];
  const known = insertShapes.get(shape);
  if (known) return { ...known, parameters };
  const compiled = insertEventsQuery(db, rows, guarded, alongside, options).compile(db);
  if (insertShapes.size < MAX_SHAPES && JSON.stringify(compiled.parameters) === JSON.stringify(parameters)) insertShapes.set(shape, compiled);
  return compiled;
}

/**
 * The insert's own parameters, in the order its text takes them: every row's data and
 * metadata as one JSON document, then the stream ids, versions, types and `after`s.
 */
function insertParameters(rows: EventRow[]): [string, string[], number[], string[], number[]] {
  return [
    JSON.stringify(rows.map((r) => [r.data, r.metadata])),
    rows.map((r) => r.stream_id),
    rows.map((r) => r.stream_version),
    rows.map((r) => r.type),
    rows.map((r) => r.after),
  ];
}

/** The statement behind insertEvents (see there); compiledInsert is how it is run. (Exported for compiledInsert's test.) */
export function insertEventsQuery(
  trx: Kysely<Database>,
  rows: EventRow[],
  guarded: boolean,
  alongside: OperationNodeSource[],
  options: { skipTaken?: boolean } = {},
): RawBuilder<InsertedRow> {
  const [documents, streamIds, versions, types, afters] = insertParameters(rows);
  const guard = guarded ? sql`where v.after = 0 or exists (select 1 from events e where e.stream_id = v.stream_id and e.stream_version = v.after)` : sql``;
  // In array order (ordinality): a stream's events get their global positions in version order.
  const insert = trx
    .insertInto('events')
    .columns(['stream_id', 'stream_version', 'type', 'data', 'metadata'])
    .expression(
      sql`with docs as materialized (select ${documents}::jsonb as j)
        select v.stream_id, v.stream_version, v.type, docs.j -> (v.n::integer - 1) -> 0, docs.j -> (v.n::integer - 1) -> 1
        from event_rows(${streamIds}::text[], ${versions}::integer[], ${types}::text[], ${afters}::integer[]) as v, docs
        ${guard} order by v.n`,
    )
    .$if(options.skipTaken === true, (qb) => qb.onConflict((oc) => oc.columns(['stream_id', 'stream_version']).doNothing()))
    .returningAll();
  const writes = alongside.map((w, i) => sql`, ${sql.id(`alongside_${i}`)} as (${w})`);
  const noticeData = sql`case when a.type in (${sql.join(NOTICE_WITH_DATA.map((t) => sql.lit(t)))}) then (a.data - 'http')::text end`;
  const lead = sql`a.stream_id like ${sql.lit(`${LEAD_STREAM_PREFIX}%`)}`;
  // A lead event without data to tell (not an outcome) is only a wake-up.
  const notice = sql`case when ${lead} and a.notice_data is null then ${sql.lit(LEAD_WAKE)}
    else a.stream_id || ' ' || a.type || case when octet_length(a.notice_data) <= ${sql.lit(NOTICE_DATA_MAX_BYTES)} then ' ' || a.notice_data else '' end end`;
  return sql<InsertedRow>`with appended as (${insert}) ${sql.join(writes, sql``)}
    select stream_id, stream_version, global_position, transaction_id, created_at,
      pg_notify(case when ${lead} then ${sql.lit(LEAD_EVENTS_CHANNEL)} else ${sql.lit(EVENTS_CHANNEL)} end, ${notice}) as notified
    from (select a.*, ${noticeData} as notice_data from appended a) as a order by global_position`;
}

/** The stored events: the positions the insert read back, completed from the rows sent. */
function storedFrom(rows: EventRow[], inserted: InsertedRow[]): StoredEvent[] {
  const sent = new Map(rows.map((r) => [`${r.stream_id} ${r.stream_version}`, r]));
  return inserted.map((stored) => {
    const row = sent.get(`${stored.stream_id} ${stored.stream_version}`)!;
    return toStoredEvent({ ...stored, type: row.type, data: row.data, metadata: row.metadata });
  });
}
