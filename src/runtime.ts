import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { storageShape, type Config, type StorageShape } from './config.js';
import { autovacuumRuns, startTableUpkeep } from './db/tableUpkeep.js';
import { migrateToLatest } from './db/migrate.js';
import { openEmbedded, openPostgres, type Storage } from './db/storage.js';
import { EventStore, type InlineProjection } from './events/eventStore.js';
import { FreshStreams } from './events/freshStreams.js';
import { Notifier } from './events/notifier.js';
import { createLogger, type Logger } from './logger.js';
import { createApp } from './api/app.js';
import { isDependencyDown } from './api/errors.js';
import type { AppDeps } from './api/deps.js';
import { Projector } from './projections/projector.js';
import { asyncProjections } from './projections/registry.js';
import { openJobQueues, type JobQueues } from './workers/jobQueues.js';
import { inlineProjections } from './projections/inline/index.js';
import { SecretBox } from './security/secretBox.js';
import { resolveSecretKey } from './security/secretKey.js';
import { SecretVault } from './security/secretVault.js';
import { ensureFirstAdmin, type FirstAdmin } from './setup/firstAdmin.js';
import { ensureDemo, type DemoSetup } from './setup/demo.js';
import { OutboundHttp } from './crm/httpClient.js';
import { enqueueDeliveries, startDeliveryWorker } from './workers/delivery/deliveryQueue.js';
import { LeadBatcher } from './api/intake/leadBatcher.js';
import { ConfigurationCache } from './events/configurationCache.js';
import { AccessCache } from './api/intake/accessCache.js';
import { OutcomeWaiter } from './api/intake/outcomeWaiter.js';
import { createIntakeLimiter } from './api/intake/rateLimit.js';
import { Redis } from 'ioredis';
import { startSweeper } from './workers/sweeper.js';
import { Metrics } from './metrics/metrics.js';
import { startPostbackWorker } from './workers/postbacks/postbackWorker.js';

export type Role = 'api' | 'worker' | 'projector';
export const ALL_ROLES: readonly Role[] = ['api', 'worker', 'projector'];

export interface Runtime {
  deps: AppDeps;
  shape: StorageShape;
  projector?: Projector;
  server?: Server;
  /** The API's base URL when the api role runs. */
  url?: string;
  /** Set when this boot created the first admin. */
  firstAdmin?: FirstAdmin;
  /** Set when this boot created the demo product, CRM and affiliate. */
  demo?: DemoSetup;
  close(): Promise<void>;
}

export interface BootOptions {
  roles?: readonly Role[];
  logger?: Logger;
  /** Replaces the inline projections (tests of the store alone). */
  inlineProjections?: InlineProjection[];
}

export async function openStorage(config: Config, logger?: Logger): Promise<Storage> {
  return config.DATABASE_URL
    ? openPostgres(config.DATABASE_URL, { logger, preparedStatements: config.DATABASE_PREPARED_STATEMENTS })
    : openEmbedded(config.DATA_DIR, { logger });
}

/** Opens storage and queues, migrates, and starts the requested roles; close() undoes it all within a bound. */
export async function boot(config: Config, options: BootOptions = {}): Promise<Runtime> {
  const roles = new Set(options.roles ?? ALL_ROLES);
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const shape = storageShape(config);
  const storage = await openStorage(config, logger);
  const closers: (() => Promise<unknown>)[] = [() => storage.close()];
  try {
    const applied = await untilAvailable(() => migrateToLatest(storage.db), 'database', logger);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    // PGlite has no autovacuum; a PostgreSQL server may have it turned off. The workers (like
    // the sweeper) then do its job on this database.
    const ownUpkeep = storage.kind === 'embedded' || (roles.has('worker') && !(await autovacuumRuns(storage.db)));
    if (ownUpkeep) {
      if (storage.kind !== 'embedded') logger.warn('PostgreSQL autovacuum is off: leadgate vacuums and analyzes this database itself every 10 s; turn autovacuum on');
      const upkeep = startTableUpkeep(storage.db, { logger, shared: storage.kind !== 'embedded' });
      closers.unshift(() => upkeep.stop());
    }
    const store = new EventStore(storage.db, options.inlineProjections ?? inlineProjections, { logger });
    const secretKey = await resolveSecretKey({ secretKey: config.SECRET_KEY, embedded: storage.kind === 'embedded', dataDir: config.DATA_DIR });
    const vault = new SecretVault(new SecretBox(secretKey));
    await vault.checkKey(storage.db);
    const notifier = new Notifier(() => storage.openListenConnection(), logger);
    closers.unshift(() => notifier.close());
    const queues: JobQueues = await untilAvailable(() => openJobQueues({
      redisUrl: config.REDIS_URL,
      prefix: config.QUEUE_PREFIX,
      databaseUrl: config.DATABASE_URL,
      embeddedPool: storage.kind === 'embedded' ? storage.pool : undefined,
      logger,
    }), 'queue', logger);
    closers.unshift(() => queues.close());
    // One cache of configuration reads for the process: intake's keys and whitelists, the
    // worker's integrations; cleared together when configuration changes.
    const configuration = new ConfigurationCache();
    await configuration.listen(notifier);
    const access = new AccessCache(storage.db, configuration);
    const outcomes = new OutcomeWaiter(storage.db);
    // Only intake waits for outcomes: a process without it need not hear of every lead's.
    if (roles.has('api')) await outcomes.listen(notifier);
    closers.unshift(async () => {
      configuration.close();
      outcomes.close();
    });
    let limiterRedis: Redis | undefined;
    if (config.REDIS_URL) {
      limiterRedis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      limiterRedis.on('error', () => undefined);
      const redis = limiterRedis;
      closers.unshift(async () => redis.disconnect());
    }
    // Intake hands the leads it accepts to a delivery worker in the same process, which then need not read them back.
    const fresh = roles.has('api') && roles.has('worker') ? new FreshStreams() : undefined;
    const intakeLimiter = await createIntakeLimiter({ perMinute: config.INTAKE_RATE_LIMIT, storage, redis: limiterRedis });
    const deps: AppDeps = {
      config,
      logger,
      shape,
      storage,
      store,
      notifier,
      queues,
      vault,
      access,
      outcomes,
      intakeLimiter,
      leads: new LeadBatcher({ config, storage, store, vault }, { enqueue: (leadIds) => enqueueDeliveries(queues, leadIds), fresh, logger }),
      metrics: new Metrics({ db: storage.db, queues, projections: asyncProjections.map((p) => p.name), logger }),
    };
    // Closers run newest first: this one after the API has stopped answering (registered below), before the queues close (above).
    closers.unshift(() => deps.leads.drain());
    const runtime: Runtime = { deps, shape, close: async () => undefined };
    runtime.firstAdmin = await ensureFirstAdmin(deps);

    if (roles.has('projector')) {
      const projector = new Projector({
        db: storage.db,
        projections: asyncProjections,
        notifier,
        logger,
        pollMs: config.PROJECTION_POLL_MS,
      });
      await projector.start();
      closers.unshift(() => projector.stop());
      runtime.projector = projector;
    }

    if (roles.has('worker')) {
      const http = new OutboundHttp({ allowPrivate: config.ALLOW_PRIVATE_TARGETS, trustedPrefix: () => `${config.PUBLIC_URL}/sandbox/` });
      closers.unshift(() => http.close());
      startDeliveryWorker(queues, { storage, store, vault, http, logger, metrics: deps.metrics, cache: configuration, fresh }, { concurrency: config.DELIVERY_CONCURRENCY, lockMs: config.WORKER_LOCK_MS });
      const postbacks = await startPostbackWorker(
        { storage, store, vault, http, logger, retryScale: config.POSTBACK_RETRY_SCALE },
        { queues, notifier, concurrency: config.DELIVERY_CONCURRENCY, lockMs: config.WORKER_LOCK_MS, pollMs: config.PROJECTION_POLL_MS, staleAfterMs: config.SWEEP_AFTER_MS },
      );
      closers.unshift(() => postbacks.stop());
      const sweeper = startSweeper({ storage, queues, staleAfterMs: config.SWEEP_AFTER_MS, logger });
      // Workers are closed with the queues; the sweeper stops first so it enqueues nothing into a closing queue.
      closers.unshift(() => sweeper.stop());
    }

    if (roles.has('api')) {
      const app = createApp(deps);
      const server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(config.PORT, config.HOST, () => resolve(s));
        s.once('error', reject);
      });
      server.keepAliveTimeout = 65_000;
      closers.unshift(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      );
      const address = server.address() as AddressInfo;
      const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
      runtime.server = server;
      runtime.url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
      // With PORT=0 the port is known only now; an explicit PUBLIC_URL is left alone.
      if (config.PUBLIC_URL.endsWith(':0')) config.PUBLIC_URL = runtime.url;
    }

    // The demo's sandbox URL needs the listening port, so it comes after the API starts.
    if (config.DEMO ?? storage.kind === 'embedded') runtime.demo = await ensureDemo(deps);

    runtime.close = closeOnce(closers, config.SHUTDOWN_TIMEOUT_MS, logger);
    logger.info({ shape, roles: [...roles], url: runtime.url }, 'leadgate started');
    return runtime;
  } catch (err) {
    await closeOnce(closers, config.SHUTDOWN_TIMEOUT_MS, logger)();
    throw err;
  }
}

const BOOT_WAIT_MS = 120_000;

/**
 * Retries a boot step while its dependency is down (a database or Redis restarting under a
 * process that starts meanwhile), so a role restarted by its supervisor at a bad moment
 * waits instead of crashing again; anything else fails the boot at once.
 */
async function untilAvailable<T>(step: () => Promise<T>, what: string, logger: Logger): Promise<T> {
  const deadline = Date.now() + BOOT_WAIT_MS;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await step();
    } catch (err) {
      const down = isDependencyDown(err) || isDependencyDown((err as { cause?: unknown }).cause);
      if (!down || Date.now() > deadline) throw err;
      logger.warn({ err: (err as Error).message }, `${what} unavailable at start; retrying`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Runs the closers in order (newest first), each bounded, once however often it is called. */
function closeOnce(closers: (() => Promise<unknown>)[], timeoutMs: number, logger: Logger): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      const deadline = Date.now() + timeoutMs;
      for (const close of closers) {
        const left = Math.max(deadline - Date.now(), 100);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), left)));
        const result = await Promise.race([close().catch((err: Error) => logger.warn({ err: err.message }, 'error while closing')), timedOut]);
        clearTimeout(timer);
        if (result === 'timeout') logger.warn('shutdown step exceeded its time; moving on');
      }
    })();
    return closing;
  };
}
