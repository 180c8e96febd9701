import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { EVENTS_CHANNEL, LEAD_EVENTS_CHANNEL } from '../events/appendToStream.js';
import type { Notifier } from '../events/notifier.js';
import type { Logger } from '../logger.js';
import type { AsyncProjection } from './asyncProjection.js';
import { behindHead, ensureCheckpoint, logHead } from './checkpoints.js';
import { processBatch, processBatches } from './processBatch.js';

export interface ProjectorOptions {
  db: Kysely<Database>;
  projections: readonly AsyncProjection[];
  notifier?: Notifier;
  logger?: Logger;
  /** How often to look even without a notification (a missed NOTIFY, a held-back transaction). */
  pollMs?: number;
  batchSize?: number;
  /**
   * After a pass that applied events, how long to let new ones gather before the next pass.
   * Under load every append notifies; a pass per notification would cost each projection a
   * transaction or two per lead (in the embedded shape, ~27 passes a second of ~4 events each
   * held PGlite longer than intake did). A fifth of a second of report lag buys batches instead.
   */
  coalesceMs?: number;
}

/**
 * Runs the async projections: woken by every committed append, polling as a fallback.
 * Any number of projectors may run on one database; each batch is applied by exactly one.
 */
export class Projector {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pending = false;
  private unsubscribe: (() => void)[] = [];

  constructor(private readonly options: ProjectorOptions) {}

  async start(): Promise<void> {
    if (this.running) return;
    for (const p of this.options.projections) await ensureCheckpoint(this.options.db, p.name);
    this.running = true;
    const notifier = this.options.notifier;
    // Woken by any append: leads' events and the rest come on channels of their own.
    if (notifier) this.unsubscribe = await Promise.all([EVENTS_CHANNEL, LEAD_EVENTS_CHANNEL].map((channel) => notifier.subscribe(channel, () => this.wake())));
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    this.wake();
    await this.loop;
  }

  /**
   * Applies everything committed before the call to every projection (tests, the CLI).
   * Draining alone is not enough: the gap-safe read holds back events behind any transaction
   * still open anywhere on the server, so this waits until none committed before the call
   * is left unapplied (bounded by `timeoutMs`).
   */
  async catchUp(timeoutMs = 30_000): Promise<number> {
    const { db } = this.options;
    const head = await logHead(db);
    const deadline = Date.now() + timeoutMs;
    let applied = 0;
    for (const projection of this.options.projections) {
      await ensureCheckpoint(db, projection.name);
      for (;;) {
        applied += await this.drain(projection);
        if (!head || !(await behindHead(db, projection.name, head)) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    return applied;
  }

  private wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    const coalesceMs = this.options.coalesceMs ?? 200;
    let failures = 0;
    // After a pass that applied events, the next one waits this long: under load, whether the
    // next append lands during a pass or just after it, events gather into the next batch.
    let quietUntil = 0;
    while (this.running) {
      const quiet = quietUntil - Date.now();
      if (quiet > 0) await new Promise((r) => setTimeout(r, quiet));
      if (!this.running) break;
      this.pending = false;
      let applied = 0;
      try {
        applied = await this.drainTogether();
        failures = 0;
      } catch (err) {
        failures++;
        this.options.logger?.error({ err }, 'projection batch failed; will retry');
      }
      if (applied > 0) quietUntil = Date.now() + coalesceMs;
      if (!this.running) continue;
      if (this.pending && failures === 0) continue;
      const delay = failures > 0 ? Math.min(pollMs * 2 ** failures, 30_000) : pollMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  /** Applies batches to every projection at once (processBatches) until caught up. */
  private async drainTogether(): Promise<number> {
    const batchSize = this.options.batchSize ?? 500;
    let applied = 0;
    while (this.running) {
      const read = await processBatches(this.options.db, this.options.projections, batchSize);
      applied += read;
      // A short batch was the end of the log as this read saw it: no need to ask again.
      if (read < batchSize) break;
    }
    return applied;
  }

  /** Applies one projection's batches until its read comes back empty, waiting out another consumer's lock (catchUp). */
  private async drain(projection: AsyncProjection): Promise<number> {
    const batchSize = this.options.batchSize ?? 500;
    let applied = 0;
    for (;;) {
      const result = await processBatch(this.options.db, projection, batchSize);
      if (result.status === 'applied') applied += result.read;
      else if (result.status === 'busy') await new Promise((r) => setTimeout(r, 20));
      else return applied;
    }
  }
}
