import type { Job, JobsOptions } from 'bullmq';
import type { JobQueues, JobWorker } from '../jobQueues.js';
import { Slots } from '../slots.js';
import { deliverLead, type DeliveryDeps, type DeliveryResult } from './deliverLead.js';

export const DELIVERY_QUEUE = 'delivery';

/**
 * Ids only: a lead's personal data never travels through the queue. A job delivers one lead
 * (the sweeper's, a retry's), or every lead one intake batch accepted together.
 */
export type DeliveryJob = { leadId: string } | { leadIds: string[] };

/** Asks BullMQ to run the job again after the delay the delivery step computed. */
export class RetryLater extends Error {
  constructor(readonly delayMs: number) {
    super(`retry in ${delayMs} ms`);
    this.name = 'RetryLater';
  }
}

/** How long a lead of a batch waits before its own job tries again after an unexpected error (a lone lead's job waits as long). */
const ERROR_RETRY_MS = 5000;

/**
 * Enqueues a lead's delivery. The job id derives from the lead id, so enqueueing twice is
 * one job; the sweeper passes a suffix to re-enqueue a lead whose job was lost.
 * Retries are counted in the lead's stream, not by BullMQ, whose attempts only bound them.
 */
export async function enqueueDelivery(queues: JobQueues, leadId: string, suffix?: string, delayMs?: number): Promise<void> {
  const opts = deliveryJobOptions(suffix ? `lead-${leadId}-${suffix}` : `lead-${leadId}`);
  await queues.queue<DeliveryJob>(DELIVERY_QUEUE).add('deliver', { leadId }, delayMs ? { ...opts, delay: delayMs } : opts);
}

/**
 * Enqueues the leads of one intake batch as one job (its id derives from the batch's first
 * lead): a job costs the queue the same whether it carries one lead or a hundred, and on the
 * PostgreSQL backend a job is most of what a lead costs the database. A lone lead gets the
 * lone lead's job.
 */
export async function enqueueDeliveries(queues: JobQueues, leadIds: string[]): Promise<void> {
  if (leadIds.length === 0) return;
  if (leadIds.length === 1) return enqueueDelivery(queues, leadIds[0]!);
  await queues.queue<DeliveryJob>(DELIVERY_QUEUE).add('deliver', { leadIds }, deliveryJobOptions(`batch-${leadIds[0]!}`));
}

function deliveryJobOptions(jobId: string): JobsOptions {
  return { jobId, attempts: 1000, backoff: { type: 'delivery' } };
}

/** One lead's delivery step in one of the process's slots. */
async function deliverInSlot(deps: DeliveryDeps, slots: Slots, leadId: string): Promise<DeliveryResult> {
  const result = await slots.run(() => deliverLead(deps, leadId));
  if (result.status === 'missing') deps.logger?.warn({ leadId }, 'delivery job for an unknown lead dropped');
  return result;
}

/**
 * Delivers a batch's leads side by side. A lead that must try again later (a transient CRM
 * failure, another worker's live attempt, an unexpected error) gets a job of its own with
 * that delay, so the batch's other leads are done with; its id derives from the lead and the
 * batch, so a batch run twice (a stalled job) still queues one. Throws only when such a job
 * could not be queued: the whole batch then runs again, and its finished leads are skipped.
 */
async function deliverBatch(queues: JobQueues, deps: DeliveryDeps, slots: Slots, job: Job<DeliveryJob>, leadIds: string[]): Promise<void> {
  const later = await Promise.all(
    leadIds.map(async (leadId) => {
      let result: DeliveryResult;
      try {
        result = await deliverInSlot(deps, slots, leadId);
      } catch (err) {
        deps.logger?.error({ err, leadId }, 'delivery of a batched lead failed; it gets a job of its own');
        return { leadId, delayMs: ERROR_RETRY_MS };
      }
      return result.status === 'retry' ? { leadId, delayMs: result.delayMs } : undefined;
    }),
  );
  for (const retry of later) if (retry) await enqueueDelivery(queues, retry.leadId, `after-${job.id ?? 'batch'}`, retry.delayMs);
}

/**
 * The delivery worker: at most `concurrency` leads in delivery at once in this process,
 * however the jobs it holds carry them.
 */
export function startDeliveryWorker(queues: JobQueues, deps: DeliveryDeps, options: { concurrency: number; lockMs: number }): JobWorker {
  const slots = new Slots(options.concurrency);
  const worker = queues.worker<DeliveryJob>(
    DELIVERY_QUEUE,
    async (job) => {
      if ('leadIds' in job.data) return deliverBatch(queues, deps, slots, job, job.data.leadIds);
      const result = await deliverInSlot(deps, slots, job.data.leadId);
      if (result.status === 'retry') throw new RetryLater(result.delayMs);
      return result.status;
    },
    {
      concurrency: options.concurrency,
      // A crashed worker's job is picked up again after the lock lapses; the stream's
      // DeliveryAttemptStarted decides whether its CRM call must be presumed made.
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      settings: { backoffStrategy: (_attempts, _type, err) => (err instanceof RetryLater ? err.delayMs : ERROR_RETRY_MS) },
    },
  );
  worker.on('failed', (_job, err) => {
    if (!(err instanceof RetryLater)) deps.logger?.error({ err }, 'delivery job failed');
  });
  worker.on('error', (err) => deps.logger?.warn({ err: err.message }, 'delivery worker error'));
  return worker;
}
