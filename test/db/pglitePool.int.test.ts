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

describe('parameterised statements on PGlite, prepared as on PostgreSQL', () => {
  let pool: PGlitePool;
  let direct: PGlite;

  beforeAll(async () => {
    direct = await PGlite.create();
    pool = new PGlitePool(direct);
    await pool.query('create table docs (id int8 primary key, tags text[] not null, doc jsonb, at timestamptz)');
  });
  afterAll(() => pool.end());

  /** The statements PGlite's one session holds whose text contains `marker`. */
  const held = async (marker: string) =>
    (await direct.query<{ name: string }>(`select name from pg_prepared_statements where statement like '%' || $1 || '%' order by name`, [marker])).rows.map((r) => r.name);

  it('answers as PGlite’s own query() does, value for value, arrays, JSON, dates and NULLs included', async () => {
    const insert = 'insert into docs (id, tags, doc, at) values ($1, $2, $3, $4) returning id, tags, doc, at';
    const values: [string, string[], string, Date | null][] = [
      ['9007199254740993', ['a', 'b,c', 'd"e', ''], JSON.stringify({ x: [1, { y: 'z' }] }), new Date('2026-12-03T10:00:00.123Z')],
      ['2', [], JSON.stringify('just text'), null],
    ];
    for (const row of values) {
      const got = await pool.query(insert, row);
      expect([got.command, got.rowCount]).toEqual(['INSERT', 1]);
      expect(got.rows[0]).toEqual({ id: row[0], tags: row[1], doc: JSON.parse(row[2]), at: row[3] });
    }
    const select = 'select id, tags, doc, at from docs where id = any($1::int8[]) order by id';
    const ours = await pool.query(select, [['2', '9007199254740993']]);
    const theirs = await direct.query(select, [['2', '9007199254740993']]);
    expect(ours.rows.map((r) => ({ ...r, id: String(r.id) }))).toEqual(theirs.rows.map((r) => ({ ...(r as object), id: String((r as { id: unknown }).id) })));
    expect(ours.fields.map((f) => f.name)).toEqual(['id', 'tags', 'doc', 'at']);
    expect(await held('where id = any($1::int8[])')).toHaveLength(1);
  });

  it('keeps one copy of a statement, renewed on its 51st run, the 101st…, inside transactions too', async () => {
    const tripled = async (n: number) => (await pool.query<{ t: number }>('select $1::int * 3 as t', [n])).rows[0]!.t;
    for (let n = 1; n <= 50; n++) expect(await tripled(n)).toBe(n * 3);
    const first = await held('* 3 as t');
    expect(first).toEqual([expect.stringMatching(/_0$/)]);
    expect(await tripled(51)).toBe(153);
    expect(await held('* 3 as t')).toEqual([expect.stringMatching(/_1$/)]);
    for (let n = 52; n <= 100; n++) await tripled(n);
    const client = await pool.connect();
    await client.query('begin');
    expect((await client.query('select $1::int * 3 as t', [101])).rows).toEqual([{ t: 303 }]);
    await client.query('rollback');
    client.release();
    // Prepared statements outlive the transaction that made them, as on PostgreSQL.
    expect(await held('* 3 as t')).toEqual([expect.stringMatching(/_2$/)]);
  });

  it('fails a bad statement or value as query() does, and goes on', async () => {
    await expect(pool.query('select $1::int as n from no_such_table', [1])).rejects.toThrow(/no_such_table/);
    await expect(pool.query('select $1::int as n', ['not a number'])).rejects.toThrow(/invalid input syntax/);
    await expect(pool.query('insert into docs (id, tags) values ($1, $2)', ['2', ['dup']])).rejects.toMatchObject({ code: '23505' });
    expect((await pool.query('select $1::int as n', [7])).rows).toEqual([{ n: 7 }]);
    // A failed parse left nothing behind; a failed run kept its statement.
    expect(await held('from no_such_table')).toEqual([]);
    expect(await held('select $1::int as n')).toHaveLength(1);
  });

  it('runs a long one-off statement unprepared', async () => {
    const ids = Array.from({ length: 1500 }, (_, i) => i + 1000);
    const text = `select count(*)::int as n from docs where id in (${ids.map((_, i) => `$${i + 1}`).join(', ')})`;
    expect(text.length).toBeGreaterThan(8192);
    expect((await pool.query(text, ids.map(String))).rows).toEqual([{ n: 0 }]);
    expect(await held('select count(*)::int as n from docs where id in')).toEqual([]);
  });
});
