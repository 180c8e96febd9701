import type { Config, StorageShape } from '../config.js';
import type { Storage } from '../db/storage.js';
import type { EventStore } from '../events/eventStore.js';
import type { Notifier } from '../events/notifier.js';
import type { Logger } from '../logger.js';
import type { SecretVault } from '../security/secretVault.js';
import type { AccessCache } from './intake/accessCache.js';
import type { OutcomeWaiter } from './intake/outcomeWaiter.js';
import type { IntakeLimiter } from './intake/rateLimit.js';
import type { LeadBatcher } from './intake/leadBatcher.js';
import type { JobQueues } from '../workers/jobQueues.js';
import type { Metrics } from '../metrics/metrics.js';

/** Everything a route needs, passed in so tests build the app on their own database and queue. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  shape: StorageShape;
  storage: Storage;
  store: EventStore;
  notifier: Notifier;
  queues?: JobQueues;
  /** Sealed secrets (API keys, CRM headers, postback and conversion secrets). */
  vault: SecretVault;
  /** Cached hot-path reads: key, whitelist, campaign, enabled integration. */
  access: AccessCache;
  /** Where intake requests wait for their lead's outcome. */
  outcomes: OutcomeWaiter;
  intakeLimiter: IntakeLimiter;
  /** Accepts leads in batches (group commit) and enqueues their delivery. */
  leads: LeadBatcher;
  /** Prometheus metrics, served at /metrics. */
  metrics: Metrics;
}
