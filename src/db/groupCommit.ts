import type { Logger } from '../logger.js';

/** What one item of a batch came to: its own value, or its own error (the others unaffected). */
export type ItemOutcome<O> = { value: O } | { error: unknown };

export interface GroupCommitOptions {
  /** Items per batch at most. */
  maxBatch: number;
  /** Batches running at once; more items meanwhile wait and form the next batch. */
  maxInFlight: number;
  /**
   * Items a batch needs to start while another is running (default 1); fewer wait for a
   * running batch to end, gathering whatever arrives meanwhile. With none running, a batch
   * starts whatever its size, so a lone item never waits.
   */
  minBesideOthers?: number;
  /** Names the batch in the warning logged when a whole batch fails. */
  label: string;
  logger?: Logger;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: the items of concurrent callers go to the database together, one round trip
 * (and one commit) for the batch instead of one each. Nothing waits on a timer: an item
 * arriving while the database is idle goes at the next turn of the event loop, with whatever
 * arrived in the same turn; under load, items gather while earlier batches run, so batches
 * grow exactly as fast as the database falls behind (and with `minBesideOthers`, a batch
 * opened beside a running one must be worth its round trips). Each caller gets its own
 * answer, as if its item had gone alone.
 *
 * `run` must be all or nothing for the batch when it throws (one statement, or one
 * transaction): the items are then tried again one at a time, within the batch's own slot,
 * so whatever failed the batch (a deadlock, a dropped connection, one item's constraint
 * violation) fails at most that item.
 */
export class GroupCommit<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<ItemOutcome<O>[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
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
    const minBeside = this.options.minBesideOthers ?? 1;
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0 && (this.inFlight === 0 || this.waiting.length >= minBeside)) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async commit(batch: Waiting<I, O>[]): Promise<void> {
    let outcomes: ItemOutcome<O>[];
    try {
      outcomes = await this.run(batch.map((w) => w.item));
      if (outcomes.length !== batch.length) throw new Error(`${this.options.label} batch answered ${outcomes.length} of ${batch.length} items`);
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      this.options.logger?.warn({ err: (err as Error).message, items: batch.length }, `${this.options.label} batch failed; running its items one by one`);
      for (const w of batch) await this.commit([w]);
      return;
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i]!;
      if ('error' in outcome) w.reject(outcome.error);
      else w.resolve(outcome.value);
    });
  }
}
