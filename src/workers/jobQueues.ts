import {
  Queue,
  Worker,
  createPostgresBackend,
  runMigrations,
  type JobsOptions,
  type Processor,
  type WorkerOptions,
} from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { PgPool } from 'bullmq';
import type { SqlPool } from '../db/storage.js';
import type { Logger } from '../logger.js';

/** The few queue operations leadgate uses, the same on either backend. */
export interface JobQueue<D> {
  add(name: string, data: D, opts?: JobsOptions): Promise<unknown>;
  /** Several jobs in one round trip (a batch of accepted leads). */
  addBulk(jobs: { name: string; data: D; opts?: JobsOptions }[]): Promise<unknown>;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface JobWorker {
  close(force?: boolean): Promise<void>;
  on(event: 'failed', fn: (job: unknown, err: Error) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
}

export type WorkerSettings = Pick<WorkerOptions, 'concurrency' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'settings'>;

export interface JobQueues {
  readonly kind: 'postgres' | 'redis';
  queue<D>(name: string): JobQueue<D>;
  worker<D>(name: string, processor: Processor<D>, settings?: WorkerSettings): JobWorker;
  /** Throws when the queue's store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Jobs carry ids only; finished ones are kept a little while for the dashboard, then dropped. */
export const defaultJobOptions: JobsOptions = {
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * The PostgreSQL backend (embedded and Postgres-only shapes) keeps the last 100 completed
 * jobs. It applies the count on every completion by sorting every completed job it keeps:
 * at 10,000 kept that was ~5 ms of PostgreSQL per finished delivery (~1.6 ms of the 4.5 ms a
 * job's finish took on PGlite), at 100 ~0.6 ms. (Redis trims a sorted set by rank, cheaply:
 * it keeps 10,000.) A lead's outcome lives in its stream; the dashboard's completed list is
 * only a recent sample.
 */
const postgresJobOptions: JobsOptions = { ...defaultJobOptions, removeOnComplete: { age: 3600, count: 100 } };

/** Owns every Queue and Worker it made, and closes them together. */
abstract class BaseJobQueues implements JobQueues {
  abstract readonly kind: 'postgres' | 'redis';
  private readonly queues = new Map<string, JobQueue<unknown>>();
  private readonly workers = new Set<JobWorker>();

  protected abstract makeQueue(name: string): JobQueue<unknown>;
  protected abstract makeWorker<D>(name: string, processor: Processor<D>, settings: WorkerSettings): JobWorker;
  abstract ping(): Promise<void>;
  protected abstract closeConnections(): Promise<void>;

  queue<D>(name: string): JobQueue<D> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.makeQueue(name);
      this.queues.set(name, queue);
    }
    return queue as JobQueue<D>;
  }

  worker<D>(name: string, processor: Processor<D>, settings: WorkerSettings = {}): JobWorker {
    const worker = this.makeWorker(name, processor, settings);
    this.workers.add(worker);
    return worker;
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.workers.clear();
    this.queues.clear();
    await this.closeConnections();
  }
}

/**
 * BullMQ's PostgreSQL backend on a pool we own. It does not migrate by itself: runMigrations
 * needs one checked-out client (its advisory lock and transaction share the session).
 */
class PostgresJobQueues extends BaseJobQueues {
  readonly kind = 'postgres' as const;

  private readonly pool: PgPool;

  constructor(
    pool: SqlPool,
    private readonly ownsPool: boolean,
  ) {
    super();
    this.pool = pool as PgPool;
  }

  static async open(pool: SqlPool, ownsPool: boolean): Promise<PostgresJobQueues> {
    try {
      const client = await pool.connect();
      try {
        await runMigrations(client as Parameters<typeof runMigrations>[0]);
      } finally {
        client.release();
      }
    } catch (err) {
      // Boot retries this while the database is down: a pool of our own is not left open.
      if (ownsPool) await pool.end().catch(() => undefined);
      throw err;
    }
    return new PostgresJobQueues(pool, ownsPool);
  }

  protected makeQueue(name: string): JobQueue<unknown> {
    return new Queue(name, { connection: this.pool, defaultJobOptions: postgresJobOptions }, createPostgresBackend) as unknown as JobQueue<unknown>;
  }

  protected makeWorker<D>(name: string, processor: Processor<D>, settings: WorkerSettings): JobWorker {
    return new Worker(name, processor, { connection: this.pool, ...settings }, createPostgresBackend) as unknown as JobWorker;
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  protected async closeConnections(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}

class RedisJobQueues extends BaseJobQueues {
  readonly kind = 'redis' as const;

  /** Producers fail fast: an add while Redis is down errors at once instead of queueing in memory. */
  private readonly producer: Redis;
  /** Workers wait out a Redis restart instead of erroring every blocked command. */
  private readonly consumer: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    super();
    this.producer = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    this.consumer = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
    // Connection errors surface through ping() and failed adds; ioredis reconnects by itself.
    this.producer.on('error', () => undefined);
    this.consumer.on('error', () => undefined);
  }

  static async open(url: string, prefix: string, logger?: Logger): Promise<RedisJobQueues> {
    const queues = new RedisJobQueues(url, prefix);
    try {
      await queues.producer.connect();
      await queues.consumer.connect();
    } catch (err) {
      // Boot retries this while Redis is down: leave no reconnecting clients behind.
      await queues.closeConnections();
      throw err;
    }
    await queues.checkEvictionPolicy(logger);
    return queues;
  }

  private async checkEvictionPolicy(logger?: Logger): Promise<void> {
    try {
      const reply = (await this.producer.config('GET', 'maxmemory-policy')) as string[];
      const policy = reply[1];
      if (policy && policy !== 'noeviction') {
        logger?.warn({ policy }, `Redis maxmemory-policy is ${policy}: set it to noeviction, or Redis may drop queued jobs (the sweeper would re-deliver them late)`);
      }
    } catch {
      logger?.info('could not read Redis maxmemory-policy (CONFIG disabled?); make sure it is noeviction');
    }
  }

  protected makeQueue(name: string): JobQueue<unknown> {
    return new Queue(name, { connection: this.producer, prefix: this.prefix, defaultJobOptions }) as unknown as JobQueue<unknown>;
  }

  protected makeWorker<D>(name: string, processor: Processor<D>, settings: WorkerSettings): JobWorker {
    return new Worker(name, processor, { connection: this.consumer, prefix: this.prefix, ...settings }) as unknown as JobWorker;
  }

  async ping(): Promise<void> {
    await this.producer.ping();
  }

  protected async closeConnections(): Promise<void> {
    this.producer.disconnect();
    this.consumer.disconnect();
  }
}

export interface JobQueuesOptions {
  redisUrl?: string;
  /** Redis key prefix (the PostgreSQL backend namespaces by database instead). */
  prefix?: string;
  /** Postgres (no Redis): a connection string for a pool of BullMQ's own, pinned to its schema. */
  databaseUrl?: string;
  /** Embedded: the PGlite facade, shared with the event store. */
  embeddedPool?: SqlPool;
  logger?: Logger;
}

export async function openJobQueues(options: JobQueuesOptions): Promise<JobQueues> {
  if (options.redisUrl) return RedisJobQueues.open(options.redisUrl, options.prefix ?? 'leadgate', options.logger);
  if (options.databaseUrl) {
    // BullMQ's SQL uses unqualified names: its pool's search_path selects the schema.
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10, options: '-c search_path=bullmq', keepAlive: true });
    pool.on('error', (err) => options.logger?.warn({ err: err.message }, 'idle queue connection lost'));
    pool.on('connect', (client) => client.on('error', (err) => options.logger?.warn({ err: err.message }, 'queue connection lost')));
    return PostgresJobQueues.open(pool, true);
  }
  if (options.embeddedPool) return PostgresJobQueues.open(options.embeddedPool, false);
  throw new Error('openJobQueues needs a Redis URL, a database URL or the embedded pool');
}
