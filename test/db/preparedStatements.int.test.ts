import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { PLAN_EACH_RUN } from '../../src/db/preparedStatements.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { openPostgres } from '../../src/db/storage.js';
import { event } from '../../src/events/events.js';
import { EventStore } from '../../src/events/eventStore.js';
import { inlineProjections } from '../../src/projections/inline/index.js';
import { leadReceived } from '../support/events.js';
import { cleanup } from '../support/cleanup.js';
import { createTestDatabase } from '../support/databases.js';

async function openOneConnection(preparedStatements: boolean) {
  const database = await createTestDatabase('prepared');
  const storage = await openPostgres(database.url, { max: 1, preparedStatements });
  cleanup(async () => {
    await storage.close();
    await database.drop();
  });
  return storage;
}

const preparedOnConnection = async (storage: Awaited<ReturnType<typeof openPostgres>>) =>
  (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(storage.db)).rows.map((r) => r.statement);

describe('prepared statements on PostgreSQL', () => {
  it('prepares a parameterised statement once per connection and gives the same answers', async () => {
    const storage = await openOneConnection(true);
    const query = (n: number) => sql<{ doubled: number }>`select ${n}::int * 2 as doubled`.execute(storage.db);
    expect((await query(2)).rows).toEqual([{ doubled: 4 }]);
    expect((await query(21)).rows).toEqual([{ doubled: 42 }]);
    const prepared = await preparedOnConnection(storage);
    // One entry for the doubling, however often it ran; statements without parameters stay unprepared.
    expect(prepared.filter((s) => s.includes('* 2 as doubled'))).toHaveLength(1);
    expect(prepared.some((s) => s.includes('pg_prepared_statements'))).toBe(false);
    // A statement that fails still fails, and the connection goes on.
    await expect(sql`select ${'x'}::int`.execute(storage.db)).rejects.toThrow(/invalid input syntax/);
    expect((await query(5)).rows).toEqual([{ doubled: 10 }]);
  });

  it('leaves a statement marked PLAN_EACH_RUN unprepared, so PostgreSQL plans every run of it afresh', async () => {
    const storage = await openOneConnection(true);
    // More runs than the five after which a prepared statement may switch to a generic plan.
    for (let n = 1; n <= 8; n++) {
      const { rows } = await sql<{ tripled: number }>`${sql.raw(PLAN_EACH_RUN)} select ${n}::int * 3 as tripled`.execute(storage.db);
      expect(rows).toEqual([{ tripled: n * 3 }]);
    }
    expect((await preparedOnConnection(storage)).filter((s) => s.includes('* 3 as tripled'))).toEqual([]);
  });

  it('plans the event appends for each batch: none is left prepared with a plan for the tables as they were', async () => {
    const storage = await openOneConnection(true);
    await migrateToLatest(storage.db);
    const store = new EventStore(storage.db, inlineProjections);
    const received = leadReceived();
    const leadId = (received.data as { leadId: string }).leadId;
    await storage.db.transaction().execute((trx) => store.appendNewStreams(trx, [{ streamId: `lead-${leadId}`, metadata: {}, events: [received] }]));
    // Delivery appends, one at a time: the group commit's statement, run more than five times.
    let version = 1;
    for (let attempt = 1; attempt <= 7; attempt++) {
      const started = await store.append(`lead-${leadId}`, [event('DeliveryAttemptStarted', { leadId, attempt })], { expectedVersion: version });
      const failed = await store.append(`lead-${leadId}`, [event('DeliveryAttemptFailed', { leadId, attempt, code: 'crm.timeout', error: 'no answer', retryInMs: 1000 })], { expectedVersion: started[0]!.streamVersion });
      version = failed[0]!.streamVersion;
    }
    expect(version).toBe(15);
    const lead = await storage.db.selectFrom('leads').select(['attempts', 'stream_version', 'code']).where('lead_id', '=', leadId).executeTakeFirstOrThrow();
    expect(lead).toEqual({ attempts: 7, stream_version: 15, code: 'crm.timeout' });
    const prepared = await preparedOnConnection(storage);
    expect(prepared.filter((s) => s.includes('insert into "events"'))).toEqual([]);
    // Other statements still are (the store's stream reads, the projection's own).
    await store.readStream(`lead-${leadId}`);
    expect((await preparedOnConnection(storage)).some((s) => s.includes('from "events"'))).toBe(true);
  });

  it('prepares nothing with DATABASE_PREPARED_STATEMENTS=false (a transaction-mode PgBouncer)', async () => {
    const storage = await openOneConnection(false);
    await sql`select ${1}::int as one`.execute(storage.db);
    expect(await preparedOnConnection(storage)).toEqual([]);
  });
});
