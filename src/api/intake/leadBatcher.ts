import { acceptLeads, type AcceptInput, type AcceptRequest, type AcceptResult } from '../../commands/acceptLead.js';
import type { CommandDeps, Meta } from '../../commands/deps.js';
import type { Logger } from '../../logger.js';

export interface LeadBatcherOptions {
  /** Puts accepted leads on the delivery queue (one round trip for the batch). */
  enqueue: (leadIds: string[]) => Promise<void>;
  logger?: Logger;
  /** Leads per transaction at most. */
  maxBatch?: number;
  /** Batches committing at once; more requests meanwhile wait and form the next batch. */
  maxInFlight?: number;
}

interface Waiting {
  request: AcceptRequest;
  resolve: (result: AcceptResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for intake: the leads of concurrent requests are accepted together, in one
 * transaction of a handful of statements and one enqueue, instead of a transaction each.
 * Nothing waits on a timer: a lead arriving while the store is idle goes at the next turn of
 * the event loop (with whatever arrived in the same turn); under load, leads gather while
 * earlier batches commit, so batches grow exactly as fast as the database falls behind.
 * Each lead gets its own answer, as if it had come alone (acceptLeads decides in order).
 */
export class LeadBatcher {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly deps: CommandDeps,
    private readonly options: LeadBatcherOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 100;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  /** Accepts (or refuses as duplicate, capped, replayed…) one lead; accepted leads are enqueued before this resolves. */
  accept(input: AcceptInput, meta: Meta): Promise<AcceptResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ request: { input, meta }, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async commit(batch: Waiting[]): Promise<void> {
    let results: AcceptResult[];
    try {
      results = await acceptLeads(this.deps, batch.map((w) => w.request));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // A failed batch stored nothing. Whatever failed it (a deadlock with another process,
      // a dropped connection) must not fail its neighbours: each lead is tried again alone.
      this.options.logger?.warn({ err: (err as Error).message, leads: batch.length }, 'lead batch failed; accepting its leads one by one');
      await Promise.all(batch.map((w) => this.commit([w])));
      return;
    }
    const leadIds = results.flatMap((r) => (r.kind === 'accepted' ? [r.leadId] : []));
    // Stored but not enqueued (queue down): the sweeper delivers them; the affiliates get 202.
    await this.options.enqueue(leadIds).catch((err: Error) => this.options.logger?.warn({ err: err.message, leadIds }, 'enqueue failed; the sweeper will deliver these leads'));
    batch.forEach((w, i) => w.resolve(results[i]!));
  }
}
