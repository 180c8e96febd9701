import type { Notifier } from '../../events/notifier.js';
import { RetryLater } from '../delivery/deliveryQueue.js';
import type { JobQueues } from '../jobQueues.js';
import { startPostbackDispatcher } from './dispatcher.js';
import { firePostback, type PostbackDeps } from './firePostback.js';
import { POSTBACK_QUEUE, type PostbackJob } from './postbackQueue.js';

export interface PostbackWorkerOptions {
  queues: JobQueues;
  notifier?: Notifier;
  concurrency: number;
  lockMs: number;
  /** The dispatcher's poll interval. */
  pollMs: number;
  /** When a due delivery with no progress counts as having lost its job. */
  staleAfterMs: number;
}

/**
 * The postback worker (BullMQ queue `postbacks`) and the dispatcher that feeds it from the
 * deliveries table. Stop the dispatcher first (the returned stop); the worker closes with
 * the queues.
 */
export async function startPostbackWorker(deps: PostbackDeps, options: PostbackWorkerOptions): Promise<{ stop: () => Promise<void> }> {
  const worker = options.queues.worker<PostbackJob>(
    POSTBACK_QUEUE,
    async (job) => {
      const result = await firePostback(deps, job.data.deliveryId, job.data.series);
      if (result.status === 'retry') throw new RetryLater(result.delayMs);
      if (result.status === 'missing') deps.logger?.warn({ deliveryId: job.data.deliveryId }, 'postback job for an unknown delivery dropped');
      return result.status;
    },
    {
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      settings: { backoffStrategy: (_attempts, _type, err) => (err instanceof RetryLater ? err.delayMs : 5000) },
    },
  );
  worker.on('failed', (_job, err) => {
    if (!(err instanceof RetryLater)) deps.logger?.error({ err }, 'postback job failed');
  });
  worker.on('error', (err) => deps.logger?.warn({ err: err.message }, 'postback worker error'));
  return startPostbackDispatcher({ storage: deps.storage, queues: options.queues, notifier: options.notifier, pollMs: options.pollMs, staleAfterMs: options.staleAfterMs, logger: deps.logger });
}
