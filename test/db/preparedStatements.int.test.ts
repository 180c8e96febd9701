import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Database } from '../../src/db/schema.js';
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

  it('prepares each statement afresh after its 50th run, 100th, 200th…, keeping one copy of it on the connection', async () => {
    const storage = await openOneConnection(true);
    const tripled = async (n: number) => (await sql<{ tripled: number }>`select ${n}::int * 3 as tripled`.execute(storage.db)).rows[0]!.tripled;
    const entries = async () =>
      (
        await sql<{ name: string; generic_plans: string; custom_plans: string }>`select name, generic_plans, custom_plans from pg_prepared_statements where statement like '%* 3 as tripled'`.execute(
          storage.db,
        )
      ).rows;
    for (let n = 1; n <= 50; n++) expect(await tripled(n)).toBe(n * 3);
    const first = await entries();
    expect(first).toHaveLength(1);
    expect(first[0]!.name).toMatch(/_0$/);
    // Five custom plans, then the generic plan made for the tables as they were then.
    expect(Number(first[0]!.generic_plans)).toBeGreaterThan(0);

    // The 51st run prepares it anew (planned afresh: a custom plan again), and the old one is gone.
    expect(await tripled(51)).toBe(153);
    const second = await entries();
    expect(second).toHaveLength(1);
    expect(second[0]!.name).toMatch(/_1$/);
    expect(second[0]).toMatchObject({ generic_plans: '0', custom_plans: '1' });

    // The next renewal comes when the runs have doubled, inside a transaction as well as outside.
    for (let n = 52; n <= 100; n++) await tripled(n);
    expect((await entries())[0]!.name).toMatch(/_1$/);
    await storage.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ tripled: number }>`select ${101}::int * 3 as tripled`.execute(trx);
      expect(rows).toEqual([{ tripled: 303 }]);
    });
    expect((await entries()).map((e) => e.name)).toEqual([expect.stringMatching(/_2$/)]);
  });

  it('renews a statement without harming the transaction it happens in, even one that never ran', async () => {
    const storage = await openOneConnection(true);
    // Fails every time: PostgreSQL never holds it, so there is nothing to deallocate when it is renewed.
    for (let n = 1; n <= 51; n++) await expect(sql`select ${'not a number'}::int as n`.execute(storage.db)).rejects.toThrow(/invalid input syntax/);
    const doubled = (db: Kysely<Database>, n: number) => sql<{ doubled: number }>`select ${n}::int * 2 as doubled`.execute(db);
    for (let n = 1; n <= 50; n++) await doubled(storage.db, n);
    // The 51st run of each is renewed between the statements of one transaction, which commits.
    await storage.db.transaction().execute(async (trx) => {
      await sql`create table renewed (n int)`.execute(trx);
      const { rows } = await doubled(trx, 51);
      await sql`insert into renewed values (${rows[0]!.doubled})`.execute(trx);
    });
    expect((await sql<{ n: number }>`select n from renewed`.execute(storage.db)).rows).toEqual([{ n: 102 }]);
    await expect(sql`select ${'still not a number'}::int as n`.execute(storage.db)).rejects.toThrow(/invalid input syntax/);
    expect((await doubled(storage.db, 52)).rows).toEqual([{ doubled: 104 }]);
  });

  it('keeps the event appends prepared and renews them as they run', async () => {
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
    // Planned for their values five times, then the generic plan: planning an append cost more than running it.
    const plans = await sql<{ generic_plans: string; custom_plans: string }>`
      select generic_plans, custom_plans from pg_prepared_statements where statement like '%insert into "events"%' and statement like '%do nothing%'`.execute(storage.db);
    expect(plans.rows).toEqual([{ custom_plans: '5', generic_plans: '9' }]);
    // Fourteen delivery appends: one statement, prepared once, not yet renewed (and the new streams' insert).
    const appends = async () =>
      (await sql<{ name: string }>`select name from pg_prepared_statements where statement like '%insert into "events"%'`.execute(storage.db)).rows.map((r) => r.name).sort();
    expect(await appends()).toEqual([expect.stringMatching(/_0$/), expect.stringMatching(/_0$/)]);
    for (let attempt = 8; attempt <= 30; attempt++) {
      const started = await store.append(`lead-${leadId}`, [event('DeliveryAttemptStarted', { leadId, attempt })], { expectedVersion: version });
      const failed = await store.append(`lead-${leadId}`, [event('DeliveryAttemptFailed', { leadId, attempt, code: 'crm.timeout', error: 'no answer', retryInMs: 1000 })], { expectedVersion: started[0]!.streamVersion });
      version = failed[0]!.streamVersion;
    }
    // Sixty delivery appends: renewed once, still one copy.
    const names = await appends();
    expect(names).toHaveLength(2);
    expect(names.filter((n) => n.endsWith('_1'))).toHaveLength(1);
    expect(await storage.db.selectFrom('leads').select(['attempts', 'stream_version']).where('lead_id', '=', leadId).executeTakeFirstOrThrow()).toEqual({ attempts: 30, stream_version: 61 });
  });

  it('prepares nothing with DATABASE_PREPARED_STATEMENTS=false (a transaction-mode PgBouncer)', async () => {
    const storage = await openOneConnection(false);
    await sql`select ${1}::int as one`.execute(storage.db);
    expect(await preparedOnConnection(storage)).toEqual([]);
  });
});
