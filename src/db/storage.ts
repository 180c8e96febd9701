import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import type { Database } from './schema.js';
import { PGlitePool } from './pglitePool.js';
import { PreparingClient } from './preparedStatements.js';
import type { TransactionConnection } from './transactionPipe.js';

export type DatabaseKind = 'embedded' | 'postgres';

/** A connection that can LISTEN: a dedicated pg.Client, or a facade client on PGlite. */
export interface ListenConnection {
  query(text: string): Promise<unknown>;
  on(event: 'notification', fn: (msg: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
  release?(): void;
  end?(): Promise<void>;
}

/** The pg.Pool surface both backends share; BullMQ's PostgreSQL backend accepts either. */
export type SqlPool = pg.Pool | PGlitePool;

export interface Storage {
  kind: DatabaseKind;
  pool: SqlPool;
  db: Kysely<Database>;
  /** A connection for a pipelinedTransaction: in pipeline mode on Postgres (a pool of its own). */
  transactionConnection(): Promise<TransactionConnection>;
  /** Opens a connection dedicated to LISTEN (never a slot of the query pool on Postgres). */
  openListenConnection(): Promise<ListenConnection>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** Where the embedded database lives, for messages; undefined on Postgres. */
  dataDir?: string;
  close(): Promise<void>;
}

// pg parses `date` into a local-midnight Date; a calendar day is a string in leadgate.
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.DATE ? (v: string) => v : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export async function openPostgres(connectionString: string, opts: { max?: number; logger?: Logger; preparedStatements?: boolean } = {}): Promise<Storage> {
  const poolOf = (config: pg.PoolConfig) => {
    const pool = new pg.Pool({
      connectionString,
      types: pgTypes,
      keepAlive: true,
      ...(opts.preparedStatements === false ? {} : { Client: PreparingClient }),
      ...config,
    });
    // A connection's error (the server restarted, an admin killed the backend) must not crash
    // the process: pg emits it on idle clients through the pool, and on checked-out clients on
    // the client itself, where nobody else listens. The pool drops such clients on release.
    pool.on('error', (err) => opts.logger?.warn({ err: err.message }, 'idle database connection lost'));
    pool.on('connect', (client) => client.on('error', (err) => opts.logger?.warn({ err: err.message }, 'database connection lost')));
    return pool;
  };
  const pool = poolOf({ max: opts.max ?? 10 });
  // Pipeline mode for the transactions that send their statements together (intake's): a pool
  // of its own, so what shares the main pool (Kysely, BullMQ's backend) keeps one query at a
  // time per connection. As many connections as intake commits batches at once.
  const pipelinedPool = poolOf({ max: 4, pipeline: true });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    pool,
    db,
    transactionConnection: async () => ({ connection: await pipelinedPool.connect(), pipelined: true }),
    ping: () => ping(db),
    async openListenConnection() {
      const client = new pg.Client({ connectionString, keepAlive: true, types: pgTypes });
      await client.connect();
      return client;
    },
    async close() {
      await db.destroy();
      if (!pipelinedPool.ending) await pipelinedPool.end();
    },
  };
}

/**
 * The embedded database: PGlite in DATA_DIR (or in memory for ":memory:"). The search path
 * puts BullMQ's schema after ours so its unqualified SQL resolves there, as it does on
 * Postgres where its own pool pins search_path.
 */
export async function openEmbedded(dataDir: string, opts: { logger?: Logger } = {}): Promise<Storage> {
  const inMemory = dataDir === ':memory:';
  const pgdata = inMemory ? undefined : path.resolve(dataDir, 'pgdata');
  if (pgdata) await mkdir(pgdata, { recursive: true });
  const pglite = await PGlite.create(pgdata ? { dataDir: pgdata } : {});
  await pglite.exec('SET search_path TO public, bullmq');
  const pool = new PGlitePool(pglite, {
    onSlowWait: (ms) =>
      opts.logger?.warn({ waitedMs: ms }, 'embedded database busy: a statement is waiting for another transaction'),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
  return {
    kind: 'embedded',
    pool,
    db,
    dataDir: pgdata,
    ping: () => ping(db),
    openListenConnection: () => pool.connect(),
    transactionConnection: async () => ({ connection: await pool.connect(), pipelined: false }),
    // Closing twice is a no-op, as it is for a pg pool.
    async close() {
      if (pglite.closed) return;
      await db.destroy();
      await pool.end();
      await pglite.close();
    },
  };
}

async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
