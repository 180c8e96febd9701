import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/storage.js';
import { maintainOnce, upkeepFor, UPKEEP_LOCK, type TableActivity } from '../../src/db/tableUpkeep.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';
import { startTestServer } from '../support/testServer.js';

const table = (over: Partial<TableActivity>): TableActivity => ({
  schema: 'public',
  table: 't',
  reltuples: 1000,
  relpages: 10,
  deadRows: 0,
  modifiedSinceAnalyze: 0,
  insertedSinceVacuum: 0,
  ...over,
});

describe('database upkeep (the autovacuum PGlite lacks, or a PostgreSQL server has turned off)', () => {
  it("uses autovacuum's thresholds", () => {
    expect(upkeepFor(table({}))).toBeUndefined();
    expect(upkeepFor(table({ modifiedSinceAnalyze: 150 }))).toBeUndefined();
    expect(upkeepFor(table({ modifiedSinceAnalyze: 151 }))).toBe('analyze');
    expect(upkeepFor(table({ deadRows: 251 }))).toBe('vacuum');
    expect(upkeepFor(table({ insertedSinceVacuum: 1201, modifiedSinceAnalyze: 1201 }))).toBe('vacuum analyze');
    // Never analyzed: analyzed as soon as it holds data, whatever changed.
    expect(upkeepFor(table({ reltuples: -1, relpages: 0 }))).toBeUndefined();
    expect(upkeepFor(table({ reltuples: -1, relpages: 1 }))).toBe('analyze');
  });

  it.each(DATABASE_KINDS)('analyzes a table that grew and vacuums its dead rows away (%s)', async (kind) => {
    const storage = await openTestStorage(kind);
    const { db } = storage;
    // As the runtime runs it: on PostgreSQL behind the fleet's lock, which no one else holds here.
    const pass = async () => {
      const done = await maintainOnce(db, { shared: kind === 'postgres' });
      if (done === 'skipped') throw new Error('the upkeep pass was skipped');
      return done;
    };
    // Out of a running autovacuum's way, so only the upkeep under test touches it.
    await sql`create table upkeep_probe (id int primary key, note text) with (autovacuum_enabled = false)`.execute(db);
    await sql`insert into upkeep_probe select n, 'row ' || n from generate_series(1, 2000) as n`.execute(db);
    const stats = async () =>
      (
        await sql<{ reltuples: number; dead: string; analyzed: Date | null; vacuumed: Date | null }>`
          select c.reltuples, s.n_dead_tup as dead, s.last_analyze as analyzed, s.last_vacuum as vacuumed
          from pg_stat_user_tables s join pg_class c on c.oid = s.relid where s.relname = 'upkeep_probe'`.execute(db)
      ).rows[0]!;
    expect(Number((await stats()).reltuples)).toBeLessThan(0);

    await expect.poll(async () => (await pass()).find((d) => d.table === 'public.upkeep_probe')?.upkeep, { timeout: 10_000 }).toBe('vacuum analyze');
    const analyzed = await stats();
    expect(Number(analyzed.reltuples)).toBe(2000);
    expect(analyzed.analyzed).not.toBeNull();
    expect(analyzed.vacuumed).not.toBeNull();

    await sql`delete from upkeep_probe where id <= 1000`.execute(db);
    await expect.poll(async () => (await pass()).find((d) => d.table === 'public.upkeep_probe')?.upkeep, { timeout: 10_000 }).toBe('vacuum analyze');
    const vacuumed = await stats();
    expect(Number(vacuumed.dead)).toBe(0);
    expect(Number(vacuumed.reltuples)).toBe(1000);
    // Nothing left to do until the table changes again.
    expect((await pass()).find((d) => d.table === 'public.upkeep_probe')).toBeUndefined();
  });

  it.each(DATABASE_KINDS)('analyzes the event log without statistics on its payloads, which no plan reads (%s)', async (kind) => {
    const { db } = await openTestStorage(kind, 'upkeep_payloads');
    await sql`insert into events (stream_id, stream_version, type, data, metadata)
      select 'lead-ld_' || n, 1, 'LeadReceived', jsonb_build_object('leadId', 'ld_' || n, 'lead', jsonb_build_object('email', 'e' || n || '@example.com')), '{"actor":{"kind":"system","id":"test"}}'
      from generate_series(1, 500) as n`.execute(db);
    await sql`analyze events`.execute(db);
    const { rows } = await sql<{ column: string }>`select attname as column from pg_stats where schemaname = 'public' and tablename = 'events'`.execute(db);
    const columns = rows.map((r) => r.column);
    expect(columns).toEqual(expect.arrayContaining(['stream_id', 'type', 'global_position']));
    expect(columns).not.toContain('data');
    expect(columns).not.toContain('metadata');
  });

  it('runs in one process of a fleet at a time on PostgreSQL: the others skip their turn', async () => {
    const storage = await openTestStorage('postgres', 'upkeep_fleet');
    const { db } = storage;
    await sql`create table upkeep_probe (id int primary key) with (autovacuum_enabled = false)`.execute(db);
    await sql`insert into upkeep_probe select n from generate_series(1, 2000) as n`.execute(db);
    const analyzed = async () => (await sql<{ at: Date | null }>`select last_analyze as at from pg_stat_user_tables where relname = 'upkeep_probe'`.execute(db)).rows[0]!.at;

    // Another process's pass holds the lock on its own connection.
    const other = await openPostgres(storage.url!);
    try {
      await other.db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(${UPKEEP_LOCK})`.execute(conn);
        expect(await maintainOnce(db, { shared: true })).toBe('skipped');
        expect(await analyzed()).toBeNull();
        await sql`select pg_advisory_unlock(${UPKEEP_LOCK})`.execute(conn);
      });
    } finally {
      await other.close();
    }
    // Its turn now; and it lets the lock go after the pass.
    await expect.poll(async () => {
      const done = await maintainOnce(db, { shared: true });
      return done === 'skipped' ? 'skipped' : done.find((d) => d.table === 'public.upkeep_probe')?.upkeep;
    }, { timeout: 10_000 }).toBe('vacuum analyze');
    expect(await analyzed()).not.toBeNull();
    const { rows } = await sql<{ held: string }>`select count(*) as held from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`.execute(db);
    expect(Number(rows[0]!.held)).toBe(0);
  });

  it('runs on PostgreSQL exactly when its autovacuum is off, and says so', async () => {
    const logLines: string[] = [];
    const server = await startTestServer('postgres', {}, { logLines });
    const { rows } = await sql<{ autovacuum: string }>`show autovacuum`.execute(server.runtime.deps.storage.db);
    const warned = logLines.some((line) => line.includes('PostgreSQL autovacuum is off'));
    expect(warned).toBe(rows[0]!.autovacuum === 'off');
  });
});
