import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.js';
import { APPENDED, compiledInsert, insertEventsQuery, type EventRow } from '../../src/events/appendToStream.js';
import { event, type DomainEvent } from '../../src/events/events.js';
import type { PendingEvent } from '../../src/events/eventStore.js';
import { leadsProjection } from '../../src/projections/inline/leads.js';
import { leadReceived } from '../support/events.js';

// Compiling needs no connection: the pool is never asked for one.
const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1:1/none' });
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
afterAll(() => pool.end());

const metadata = { actor: { kind: 'system' as const, id: 'delivery' } };
const rowOf = (e: DomainEvent, streamVersion: number): EventRow => {
  const leadId = (e.data as { leadId: string }).leadId;
  return { stream_id: `lead-${leadId}`, stream_version: streamVersion, type: e.type, data: e.data, metadata, after: streamVersion - 1 };
};
const started = (leadId: string) => event('DeliveryAttemptStarted', { leadId, attempt: 1 });
const delivered = (leadId: string) => event('LeadDelivered', { leadId, attempt: 1, autoLoginUrl: `https://crm.example/${leadId}`, externalId: `c-${leadId}` });

/** Each way an append runs: new streams with their lead rows, a group of lone appends, one lone append with its own writes. */
const shapes = {
  'new streams': (n: number) => {
    const events = Array.from({ length: n }, () => leadReceived());
    const pending = events.map((e) => ({ ...e, streamVersion: 1 }) as PendingEvent);
    return { rows: events.map((e) => rowOf(e, 1)), guarded: false, alongside: leadsProjection.writesForNewStreams!(db, pending)!, options: {} };
  },
  'grouped appends': (n: number) => {
    const events = Array.from({ length: n }, (_, i) => (i % 2 ? started(`ld_${n}_${i}`) : delivered(`ld_${n}_${i}`)));
    return { rows: events.map((e) => rowOf(e, 2)), guarded: true, alongside: leadsProjection.writesForAppended!(db), options: { skipTaken: true } };
  },
  'a lone append': (n: number) => {
    const e = delivered(`ld_lone_${n}`);
    return { rows: [rowOf(e, 3)], guarded: true, alongside: leadsProjection.writesFor!(db, { ...e, streamVersion: 3 } as PendingEvent, APPENDED)!, options: {} };
  },
};

describe('the events insert compiled once a shape', () => {
  it.each(Object.keys(shapes) as (keyof typeof shapes)[])('%s: a later batch of another size gets the same text with its own parameters, as Kysely compiles it', (name) => {
    const first = shapes[name](3);
    const once = compiledInsert(db, first.rows, first.guarded, first.alongside, first.options);
    const later = shapes[name](7);
    const reused = compiledInsert(db, later.rows, later.guarded, later.alongside, later.options);
    const fresh = insertEventsQuery(db, later.rows, later.guarded, later.alongside, later.options).compile(db);
    // Taken from what the first batch compiled, not compiled again.
    expect(reused.query).toBe(once.query);
    expect(reused.sql).toBe(fresh.sql);
    expect(reused.parameters).toEqual(fresh.parameters);
  });

  it('keeps the shapes apart: a group with the guard and one without get different statements', () => {
    const grouped = shapes['grouped appends'](2);
    const guarded = compiledInsert(db, grouped.rows, true, grouped.alongside, grouped.options);
    const unguarded = compiledInsert(db, grouped.rows, false, grouped.alongside, grouped.options);
    expect(unguarded.sql).not.toBe(guarded.sql);
    expect(unguarded.sql).toBe(insertEventsQuery(db, grouped.rows, false, grouped.alongside, grouped.options).compile(db).sql);
  });
});
