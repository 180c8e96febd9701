import { sql, type Kysely } from 'kysely';
import type { Logger } from '../logger.js';
import { every } from '../periodic.js';
import type { Database } from './schema.js';

/**
 * PostgreSQL's autovacuum thresholds (its defaults): a table is analyzed once more rows than
 * 50 + 10 % of it changed since its last ANALYZE, vacuumed once 50 + 20 % of it are dead
 * rows, or 1,000 + 20 % of it were inserted since its last VACUUM (which sets the visibility
 * map the index-only scans need).
 */
const THRESHOLDS = { analyze: { base: 50, scale: 0.1 }, vacuum: { base: 50, scale: 0.2 }, insertVacuum: { base: 1000, scale: 0.2 } };

const SLOW_STEP_MS = 1000;

export interface TableActivity {
  schema: string;
  table: string;
  /** The planner's row count; negative when the table was never analyzed. */
  reltuples: number;
  relpages: number;
  deadRows: number;
  modifiedSinceAnalyze: number;
  insertedSinceVacuum: number;
}

export type Upkeep = 'vacuum' | 'analyze' | 'vacuum analyze';

/** What autovacuum would do to a table now, if anything. */
export function upkeepFor(t: TableActivity): Upkeep | undefined {
  const rows = Math.max(t.reltuples, 0);
  const over = (n: number, { base, scale }: { base: number; scale: number }) => n > base + scale * rows;
  const vacuum = over(t.deadRows, THRESHOLDS.vacuum) || over(t.insertedSinceVacuum, THRESHOLDS.insertVacuum);
  // Never analyzed but holding data: the planner is guessing.
  const analyze = over(t.modifiedSinceAnalyze, THRESHOLDS.analyze) || (t.reltuples < 0 && t.relpages > 0);
  if (vacuum && analyze) return 'vacuum analyze';
  return vacuum ? 'vacuum' : analyze ? 'analyze' : undefined;
}

async function tableActivity(db: Kysely<Database>): Promise<TableActivity[]> {
  const { rows } = await sql<{ schema: string; table: string; reltuples: number; relpages: number; dead: string; modified: string; inserted: string }>`
    select s.schemaname as schema, s.relname as table, c.reltuples, c.relpages,
      s.n_dead_tup as dead, s.n_mod_since_analyze as modified, s.n_ins_since_vacuum as inserted
    from pg_stat_user_tables s join pg_class c on c.oid = s.relid`.execute(db);
  return rows.map((r) => ({
    schema: r.schema,
    table: r.table,
    reltuples: Number(r.reltuples),
    relpages: Number(r.relpages),
    deadRows: Number(r.dead),
    modifiedSinceAnalyze: Number(r.modified),
    insertedSinceVacuum: Number(r.inserted),
  }));
}

export interface UpkeepOptions {
  logger?: Logger;
  /**
   * Several processes share the database (PostgreSQL): a pass runs only in the process that
   * gets the session-level advisory lock `UPKEEP_LOCK`; the others skip their turn, instead of
   * a fleet of N workers vacuuming the same tables N times over.
   */
  shared?: boolean;
}

export type UpkeepStep = { table: string; upkeep: Upkeep; ms: number };

/** The advisory lock a shared database's upkeep pass holds. */
export const UPKEEP_LOCK = sql`hashtextextended('leadgate:table-upkeep', 0)`;

/**
 * Vacuums and analyzes, one table at a time, every table past autovacuum's thresholds; returns
 * what it did, or 'skipped' when another process's pass holds the lock (`shared`).
 */
export async function maintainOnce(db: Kysely<Database>, options: UpkeepOptions = {}): Promise<UpkeepStep[] | 'skipped'> {
  if (!options.shared) return maintainTables(db, options.logger);
  // One connection for the pass: a session-level lock belongs to the connection that took it.
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ got: boolean }>`select pg_try_advisory_lock(${UPKEEP_LOCK}) as got`.execute(conn);
    if (rows[0]?.got !== true) return 'skipped';
    try {
      return await maintainTables(conn, options.logger);
    } finally {
      await sql`select pg_advisory_unlock(${UPKEEP_LOCK})`.execute(conn);
    }
  });
}

async function maintainTables(db: Kysely<Database>, logger?: Logger): Promise<UpkeepStep[]> {
  const done: UpkeepStep[] = [];
  for (const t of await tableActivity(db)) {
    const upkeep = upkeepFor(t);
    if (!upkeep) continue;
    const started = Date.now();
    const verb = upkeep === 'vacuum analyze' ? sql`vacuum (analyze)` : upkeep === 'vacuum' ? sql`vacuum` : sql`analyze`;
    await sql`${verb} ${sql.id(t.schema, t.table)}`.execute(db);
    done.push({ table: `${t.schema}.${t.table}`, upkeep, ms: Date.now() - started });
  }
  // On PGlite every other statement waits while a table is vacuumed (on PostgreSQL VACUUM only
  // slows them): a long step is worth an operator's notice.
  if (done.some((d) => d.ms >= SLOW_STEP_MS)) logger?.info({ done }, 'database upkeep held a table for a while');
  else if (done.length > 0) logger?.debug({ done }, 'database upkeep');
  return done;
}

/** Whether the server's autovacuum daemon looks after the tables (PostgreSQL's default; never on PGlite). */
export async function autovacuumRuns(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ on: boolean }>`select current_setting('autovacuum') = 'on' as on`.execute(db);
  return rows[0]?.on === true;
}

/**
 * Autovacuum's job, for a database without it. PGlite runs PostgreSQL without its autovacuum
 * daemon, and a PostgreSQL server may have it turned off: then nothing analyzes or vacuums
 * the tables, the planner keeps guessing row counts (it planned a read of every lead where an
 * index lookup was due; intake's duplicate check no longer depends on it, see acceptLead.ts)
 * and dead rows (BullMQ's finished jobs, updated lead rows) are never reclaimed. Every
 * `intervalMs` this vacuums and analyzes the tables past autovacuum's thresholds; on PGlite
 * each table's step holds the one connection only while it runs; on PostgreSQL (`shared`) one
 * process of the fleet at a time does it.
 */
export function startTableUpkeep(db: Kysely<Database>, options: UpkeepOptions & { intervalMs?: number } = {}): { stop: () => Promise<void> } {
  return every(
    options.intervalMs ?? 10_000,
    () => maintainOnce(db, options),
    (err) => options.logger?.warn({ err: err.message }, 'database upkeep failed'),
  );
}
