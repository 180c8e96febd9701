import type { Kysely } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { JobQueues } from '../workers/jobQueues.js';
import { projectionLag } from './projectionLag.js';
import { queueDepths, QUEUE_NAMES, QUEUE_STATES } from './queueDepths.js';

/** How an intake request ended, from the affiliate's side (API.md, POST /api/v1/leads). */
export type IntakeOutcome = 'delivered' | 'rejected' | 'failed' | 'pending' | 'refused' | 'duplicate' | 'error';

/** Where the gauges read at scrape time come from; any left out is simply not reported. */
export interface MetricsSources {
  db?: Kysely<Database>;
  queues?: JobQueues;
  /** The async projections whose lag is reported. */
  projections?: readonly string[];
  queueNames?: readonly string[];
  logger?: Logger;
}

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];
const CRM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * leadgate's Prometheus metrics, on a registry of their own (not prom-client's global one),
 * so several apps in one process (the tests) never share or collide. Counters move where
 * things happen; queue depth and projection lag are read from Redis/PostgreSQL when scraped,
 * so every API process reports the whole installation's backlog. Labels are bounded: route
 * patterns, status codes, error codes and integration ids, never raw URLs or lead data.
 */
export class Metrics {
  readonly registry = new Registry();

  private readonly requestDuration = new Histogram({
    name: 'leadgate_http_request_duration_seconds',
    help: 'HTTP request latency by matched route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  private readonly intakeLeads = new Counter({
    name: 'leadgate_intake_leads_total',
    help: 'Intake requests by how they were answered (delivered, rejected, failed, pending, refused, duplicate, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly intakeRefusals = new Counter({
    name: 'leadgate_intake_refusals_total',
    help: 'Intake requests refused, by error code (authentication failures included)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  private readonly deliveryAttempts = new Counter({
    name: 'leadgate_delivery_attempts_total',
    help: 'CRM delivery attempts by integration and outcome',
    labelNames: ['integration', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly deliveryDuration = new Histogram({
    name: 'leadgate_delivery_duration_seconds',
    help: 'CRM call latency by integration',
    labelNames: ['integration'] as const,
    buckets: CRM_BUCKETS,
    registers: [this.registry],
  });
  private readonly postbacks = new Counter({
    name: 'leadgate_postbacks_total',
    help: 'Postback attempts by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly queueJobs = new Gauge({
    name: 'leadgate_queue_jobs',
    help: 'Jobs in each queue by state, read at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });
  private readonly queueOldestWaiting = new Gauge({
    name: 'leadgate_queue_oldest_waiting_seconds',
    help: 'Age of the oldest waiting job in each queue (0 when none waits)',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  private readonly projectionLagEvents = new Gauge({
    name: 'leadgate_projection_lag_events',
    help: 'Events of the log an async projection has not applied yet',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  private readonly projectionLagSeconds = new Gauge({
    name: 'leadgate_projection_lag_seconds',
    help: 'Age of the oldest event an async projection has not applied yet',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  private readonly collectFailures = new Counter({
    name: 'leadgate_metrics_collect_failures_total',
    help: 'Scrapes that could not read a source (the gauges from it are left out of that scrape)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  constructor(private readonly sources: MetricsSources = {}) {
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  intakeAnswered(outcome: IntakeOutcome): void {
    this.intakeLeads.inc({ outcome });
  }

  intakeRefused(code: string): void {
    this.intakeRefusals.inc({ code });
  }

  /** One CRM call: `delivered`, `rejected`, `retry` (transient, tried again) or `failed` (the last attempt). */
  deliveryAttempt(integrationId: string, outcome: string, seconds: number): void {
    this.deliveryAttempts.inc({ integration: integrationId, outcome });
    this.deliveryDuration.observe({ integration: integrationId }, seconds);
  }

  /** One postback attempt's outcome (`delivered`, `retry`, `failed`, …: a small fixed set). */
  postbackOutcome(outcome: string): void {
    this.postbacks.inc({ outcome });
  }

  /** The exposition text, after reading the scrape-time gauges. */
  async scrape(): Promise<string> {
    await Promise.all([this.collectQueues(), this.collectProjections()]);
    return this.registry.metrics();
  }

  private async collectQueues(): Promise<void> {
    const { queues } = this.sources;
    if (!queues) return;
    this.queueJobs.reset();
    this.queueOldestWaiting.reset();
    try {
      for (const depth of await queueDepths(queues, this.sources.queueNames ?? QUEUE_NAMES)) {
        for (const state of QUEUE_STATES) this.queueJobs.set({ queue: depth.queue, state }, depth.counts[state]);
        this.queueOldestWaiting.set({ queue: depth.queue }, depth.oldestWaitingSeconds);
      }
    } catch (err) {
      this.failed('queues', err);
    }
  }

  private async collectProjections(): Promise<void> {
    const { db, projections } = this.sources;
    if (!db || !projections) return;
    this.projectionLagEvents.reset();
    this.projectionLagSeconds.reset();
    try {
      for (const lag of await projectionLag(db, projections)) {
        this.projectionLagEvents.set({ projection: lag.name }, lag.lagEvents);
        this.projectionLagSeconds.set({ projection: lag.name }, lag.lagSeconds);
      }
    } catch (err) {
      this.failed('projections', err);
    }
  }

  private failed(source: string, err: unknown): void {
    this.collectFailures.inc({ source });
    this.sources.logger?.warn({ err: (err as Error).message, source }, 'metrics: could not read a source');
  }
}
