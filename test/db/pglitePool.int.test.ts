import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlitePool, type FacadeNotification } from '../../src/db/pglitePool.js';
import { openPostgres, type Storage } from '../../src/db/storage.js';
import { createTestDatabase } from '../support/databases.js';

describe('the PGlite pool facade', () => {
  let pool: PGlitePool;

  beforeAll(async () => {
    pool = new PGlitePool(await PGlite.create());
    await pool.query('create table counter (id int primary key, n int not null)');
    await pool.query('insert into counter values (1, 0)');
  });
  afterAll(() => pool.end());

  it('keeps concurrent transactions from interleaving: every read-modify-write lands', async () => {
    const increments = Array.from({ length: 40 }, async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ n: number }>('select n from counter where id = 1');
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        await client.query('update counter set n = $1 where id = 1', [rows[0]!.n + 1]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    });
    await Promise.all(increments);
    const { rows } = await pool.query<{ n: number }>('select n from counter where id = 1');
    expect(rows[0]!.n).toBe(40);
  });

  it('does not let a statement from another client run inside an open transaction', async () => {
    const a = await pool.connect();
    await a.query('BEGIN');
    await a.query('update counter set n = -1 where id = 1');
    const outside = pool.query<{ n: number }>('select n from counter where id = 1');
    await new Promise((r) => setTimeout(r, 20));
    await a.query('ROLLBACK');
    a.release();
    expect((await outside).rows[0]!.n).toBe(40);
  });

  it('keeps the transaction open across ROLLBACK TO SAVEPOINT', async () => {
    const a = await pool.connect();
    await a.query('BEGIN');
    await a.query('update counter set n = 100 where id = 1');
    await a.query('SAVEPOINT s1');
    await a.query('update counter set n = 200 where id = 1');
    await a.query('ROLLBACK TO SAVEPOINT s1');
    await a.query('COMMIT');
    a.release();
    expect((await pool.query<{ n: number }>('select n from counter')).rows[0]!.n).toBe(100);
    await pool.query('update counter set n = 40');
  });

  it('rolls back a client released mid-transaction and frees the connection', async () => {
    const a = await pool.connect();
    await a.query('BEGIN');
    await a.query('update counter set n = 999 where id = 1');
    a.release();
    const { rows } = await pool.query<{ n: number }>('select n from counter where id = 1');
    expect(rows[0]!.n).toBe(40);
  });

  it('delivers NOTIFY to clients that LISTEN, including after leading SQL comments, and only on commit', async () => {
    const listener = await pool.connect();
    const got: FacadeNotification[] = [];
    listener.on('notification', (m: FacadeNotification) => got.push(m));
    await listener.query('-- subscribe like BullMQ does\nLISTEN facade_test;');
    const writer = await pool.connect();
    await writer.query('BEGIN');
    await writer.query("select pg_notify('facade_test', 'one')");
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(0);
    await writer.query('COMMIT');
    writer.release();
    await pool.query("NOTIFY facade_test, 'two'");
    await new Promise((r) => setTimeout(r, 20));
    expect(got.map((m) => [m.channel, m.payload])).toEqual([
      ['facade_test', 'one'],
      ['facade_test', 'two'],
    ]);
    await listener.query('UNLISTEN facade_test');
    await pool.query("NOTIFY facade_test, 'three'");
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(2);
    listener.release();
  });

  it('runs multi-statement scripts (BullMQ migrations are such scripts)', async () => {
    await pool.query('create table s1 (a int); insert into s1 values (1); insert into s1 values (2);');
    const { rows } = await pool.query<{ n: string }>('select count(*) as n from s1');
    expect(rows[0]!.n).toBe('2');
  });

  it('reports affected rows and the command as pg does', async () => {
    await pool.query('create table s2 (a int)');
    const insert = await pool.query('insert into s2 values ($1), ($2)', [1, 2]);
    expect([insert.command, insert.rowCount]).toEqual(['INSERT', 2]);
    const update = await pool.query('with x as (select 1) update s2 set a = a + $1', [10]);
    expect([update.command, update.rowCount]).toEqual(['UPDATE', 2]);
    const del = await pool.query('delete from s2 where a = $1', [11]);
    expect([del.command, del.rowCount]).toEqual(['DELETE', 1]);
  });
});

describe('values through the facade are typed as pg types them', () => {
  let storage: Storage;
  let facade: PGlitePool;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const database = await createTestDatabase('facade_types');
    drop = database.drop;
    storage = await openPostgres(database.url);
    facade = new PGlitePool(await PGlite.create());
  });
  afterAll(async () => {
    await storage.close();
    await drop();
    await facade.end();
  });

  const query = `select 9007199254740993::int8 as big, 12.50::numeric as amount, '2026-11-23'::date as day,
    '2026-11-23T10:00:00Z'::timestamptz as at, '{"a":[1,2]}'::jsonb as doc, true as flag, 7::int4 as small,
    array[1,2]::int8[] as bigs, null::text as nothing, pg_current_xact_id() is not null as has_xid`;

  it('matches node-postgres value for value', async () => {
    const fromPg = await (storage.pool as pg.Pool).query(query);
    const fromFacade = await facade.query(query);
    expect(fromFacade.rows).toEqual(fromPg.rows);
    expect(fromFacade.rows[0]).toMatchObject({ big: '9007199254740993', amount: '12.50', day: '2026-11-23', small: 7 });
  });

  it('matches with bound parameters too', async () => {
    const q = 'select $1::int8 as big, $2::date as day, $3::jsonb as doc';
    const params = ['42', '2026-01-02', JSON.stringify({ x: 1 })];
    expect((await facade.query(q, params)).rows).toEqual((await (storage.pool as pg.Pool).query(q, params)).rows);
  });
});
