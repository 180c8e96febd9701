import type { Kysely } from 'kysely';
import { storageShape, type Config, type StorageShape } from '../config.js';
import type { Database } from '../db/schema.js';
import { createLogger } from '../logger.js';
import { projectionLag, type ProjectionLag } from '../metrics/projectionLag.js';
import { queueDepths, type QueueDepth } from '../metrics/queueDepths.js';
import { asyncProjections } from '../projections/registry.js';
import { openStorage } from '../runtime.js';
import { openJobQueues, type JobQueues } from '../workers/jobQueues.js';
import { stuckBefore } from '../workers/sweeper.js';

export interface StatusSources {
  db: Kysely<Database>;
  queues: JobQueues;
  shape: StorageShape;
  projections: readonly string[];
  /** SWEEP_AFTER_MS: a pending lead untouched this long is stuck. */
  sweepAfterMs: number;
  now?: Date;
}

export interface StatusReport {
  shape: StorageShape;
  queueBackend: JobQueues['kind'];
  queues: QueueDepth[];
  projections: ProjectionLag[];
  stuckLeads: { count: number; afterMs: number };
}

/**
 * Pending leads with nothing happening to them for `afterMs` past their scheduled attempt:
 * the sweeper's own test (workers/sweeper.ts), so the figure is what it will re-enqueue.
 * More than a few, for long, means no worker is running or the queue lost its jobs.
 */
async function stuckLeads(db: Kysely<Database>, afterMs: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - afterMs);
  const row = await db
    .selectFrom('leads')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where(stuckBefore(cutoff))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** What `leadgate status` reports: queue depths, projection positions and lag, stuck leads. */
export async function collectStatus(sources: StatusSources): Promise<StatusReport> {
  const now = sources.now ?? new Date();
  const [queues, projections, stuck] = await Promise.all([
    queueDepths(sources.queues, undefined, now.getTime()),
    projectionLag(sources.db, sources.projections, now),
    stuckLeads(sources.db, sources.sweepAfterMs, now),
  ]);
  return { shape: sources.shape, queueBackend: sources.queues.kind, queues, projections, stuckLeads: { count: stuck, afterMs: sources.sweepAfterMs } };
}

/**
 * Opens the installation's database and queues as configured (no workers, no migrations),
 * reads its status and closes them. In the embedded shape this opens DATA_DIR itself, so it
 * is for a stopped server; a running one shows the same figures at /metrics.
 */
export async function readStatus(config: Config): Promise<StatusReport> {
  const logger = createLogger('warn');
  const storage = await openStorage(config, logger);
  try {
    const queues = await openJobQueues({
      redisUrl: config.REDIS_URL,
      prefix: config.QUEUE_PREFIX,
      databaseUrl: config.DATABASE_URL,
      embeddedPool: storage.kind === 'embedded' ? storage.pool : undefined,
      logger,
    });
    try {
      return await collectStatus({
        db: storage.db,
        queues,
        shape: storageShape(config),
        projections: asyncProjections.map((p) => p.name),
        sweepAfterMs: config.SWEEP_AFTER_MS,
      });
    } finally {
      await queues.close();
    }
  } catch (err) {
    // undefined_table: nothing has migrated this database yet.
    if ((err as { code?: string }).code === '42P01') throw new Error('this database has no leadgate tables yet: run `leadgate migrate` or start leadgate once');
    throw err;
  } finally {
    await storage.close();
  }
}

/** 0.4 → "0.4s", 75 → "1m15s", 7300 → "2h01m"; nothing waiting → "-". */
export function formatAge(seconds: number): string {
  if (seconds <= 0) return '-';
  if (seconds < 60) return `${Number(seconds.toFixed(1))}s`;
  const s = Math.floor(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Left-aligns the first column and right-aligns the others, two spaces apart. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`.trimEnd());
}

export function formatStatus(report: StatusReport): string {
  const queues = table([
    ['queue', 'wait', 'active', 'delayed', 'failed', 'completed', 'oldest waiting'],
    ...report.queues.map((q) => [
      q.queue,
      ...(['wait', 'active', 'delayed', 'failed', 'completed'] as const).map((state) => String(q.counts[state])),
      formatAge(q.oldestWaitingSeconds),
    ]),
  ]);
  const projections = table([
    ['projection', 'position', 'lag (events)', 'lag (time)', ''],
    ...report.projections.map((p) => [p.name, p.position, String(p.lagEvents), formatAge(p.lagSeconds), p.replaying ? 'replaying' : '']),
  ]);
  const stuck = report.stuckLeads;
  return [
    `leadgate status: storage ${report.shape}, queues on ${report.queueBackend}`,
    '',
    'Queues',
    ...queues,
    '',
    'Projections',
    ...projections,
    '',
    `Stuck leads: ${stuck.count} (pending with nothing happening for over ${formatAge(stuck.afterMs / 1000)}; the sweeper re-enqueues them)`,
    '',
  ].join('\n');
}
