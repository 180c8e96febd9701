import { acceptLeads, type AcceptInput, type AcceptRequest, type AcceptResult } from '../../commands/acceptLead.js';
import type { CommandDeps, Meta } from '../../commands/deps.js';
import { GroupCommit, type ItemOutcome } from '../../db/groupCommit.js';
import type { FreshStreams } from '../../events/freshStreams.js';
import type { Logger } from '../../logger.js';

export interface LeadBatcherOptions {
  /** Puts accepted leads on the delivery queue (one round trip for the batch). */
  enqueue: (leadIds: string[]) => Promise<void>;
  /** Where a delivery worker in this process finds the accepted leads without reading them back. */
  fresh?: FreshStreams;
  logger?: Logger;
  /** Leads per transaction at most. */
  maxBatch?: number;
  /** Batches committing at once; more requests meanwhile wait and form the next batch. */
  maxInFlight?: number;
  /** Leads a batch needs to start while another commits (see GroupCommitOptions.minBesideOthers). */
  minBesideOthers?: number;
}

/**
 * Group commit for intake: the leads of concurrent requests are accepted together, in one
 * transaction of a handful of statements and one enqueue, instead of a transaction each
 * (see GroupCommit for how batches form). Each lead gets its own answer, as if it had come
 * alone (acceptLeads decides in order).
 */
export class LeadBatcher {
  private readonly batches: GroupCommit<AcceptRequest, AcceptResult>;
  /** Enqueues on their way. */
  private readonly enqueues = new Set<Promise<void>>();

  constructor(
    private readonly deps: CommandDeps,
    private readonly options: LeadBatcherOptions,
  ) {
    this.batches = new GroupCommit((requests) => this.commit(requests), {
      maxBatch: options.maxBatch ?? 100,
      maxInFlight: options.maxInFlight ?? 4,
      // Under load a transaction of 3 leads costs the event loop nearly what one of 30 does
      // (its statements, their writes, the wake-ups of PostgreSQL): fewer, fuller batches.
      minBesideOthers: options.minBesideOthers ?? 16,
      label: 'lead',
      logger: options.logger,
    });
  }

  /**
   * Accepts (or refuses as duplicate, capped, replayed…) one lead. An accepted lead is stored
   * when this resolves, and its delivery job on its way to the queue (see `drain`).
   */
  accept(input: AcceptInput, meta: Meta): Promise<AcceptResult> {
    return this.batches.submit({ input, meta });
  }

  private async commit(requests: AcceptRequest[]): Promise<ItemOutcome<AcceptResult>[]> {
    const results = await acceptLeads(this.deps, requests);
    const accepted = results.flatMap((r) => (r.kind === 'accepted' ? [r] : []));
    // Committed by now: what the worker is handed must be in the log.
    this.options.fresh?.remember(accepted.flatMap((r) => (r.received ? [r.received] : [])));
    const leadIds = accepted.map((r) => r.leadId);
    if (leadIds.length > 0) {
      // Not waited for: the leads are stored, and answering them (or starting their wait for an
      // outcome, which no worker can record before the job arrives) need not hold the batch's
      // slot through a round trip to the queue, nor through a queue that is down. Stored but
      // not enqueued, they are delivered by the sweeper; the affiliates get 202 either way.
      const enqueued = this.options
        .enqueue(leadIds)
        .catch((err: Error) => this.options.logger?.warn({ err: err.message, leadIds }, 'enqueue failed; the sweeper will deliver these leads'))
        .finally(() => this.enqueues.delete(enqueued));
      this.enqueues.add(enqueued);
    }
    return results.map((value) => ({ value }));
  }

  /** Waits for the delivery jobs of the leads accepted so far to reach the queue (or fail to): before the queue closes. */
  async drain(): Promise<void> {
    await Promise.all([...this.enqueues]);
  }
}
