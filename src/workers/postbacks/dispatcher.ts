import { sql } from 'kysely';
import type { Storage } from '../../db/storage.js';
import type { Notifier } from '../../events/notifier.js';
import type { Logger } from '../../logger.js';
import type { JobQueues } from '../jobQueues.js';
import { enqueuePostback } from './postbackQueue.js';

/** Notified (on commit) when deliveries are triggered or a resend is asked for. */
export const POSTBACKS_CHANNEL = 'leadgate_postbacks';

const BATCH = 500;

export interface DispatcherOptions {
  storage: Storage;
  queues: JobQueues;
  notifier?: Notifier;
  /** How often to look even without a notification. */
  pollMs: number;
  /** A delivery due this long with nothing happening to it has lost its job (Redis lost data): enqueued again. */
  staleAfterMs: number;
  logger?: Logger;
}

/**
 * The trigger projection writes deliveries inside its own transaction and cannot enqueue
 * there, so the table is the outbox: this enqueues every delivery not yet queued, and any
 * whose job went missing. The job id names the delivery and its series, so however many
 * dispatchers see a row, and however often, BullMQ holds one job for it.
 */
export async function dispatchOnce(options: DispatcherOptions): Promise<number> {
  const { db } = options.storage;
  const stale = new Date(Date.now() - options.staleAfterMs);
  const rows = await db
    .selectFrom('postback_deliveries')
    .select(['id', 'series'])
    .where('status', 'in', ['new', 'retrying'])
    .where((eb) =>
      eb.or([
        eb('queued_at', 'is', null),
        eb(sql<Date>`greatest(coalesce(next_attempt_at, updated_at), queued_at)`, '<', stale),
      ]),
    )
    .orderBy('created_at')
    .limit(BATCH)
    .execute();
  if (rows.length === 0) return 0;
  for (const row of rows) await enqueuePostback(options.queues, row.id, row.series);
  await db
    .updateTable('postback_deliveries')
    .set({ queued_at: sql<Date>`now()` })
    .where('id', 'in', rows.map((r) => r.id))
    .execute();
  return rows.length;
}

/** Runs dispatchOnce when notified and every pollMs, one run at a time. */
export async function startPostbackDispatcher(options: DispatcherOptions): Promise<{ stop: () => Promise<void> }> {
  let stopped = false;
  let busy = false;
  let again = false;
  let running: Promise<void> = Promise.resolve();
  const once = async (): Promise<number> => {
    try {
      return await dispatchOnce(options);
    } catch (err) {
      options.logger?.warn({ err: (err as Error).message }, 'postback dispatch failed; will retry');
      return 0;
    }
  };
  const run = () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    running = (async () => {
      do {
        again = false;
        // A full batch means more are waiting.
        while (!stopped && (await once()) === BATCH);
      } while (again && !stopped);
      busy = false;
    })();
  };
  const unsubscribe = await options.notifier?.subscribe(POSTBACKS_CHANNEL, run);
  const timer = setInterval(run, options.pollMs);
  run();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      unsubscribe?.();
      await running;
    },
  };
}
