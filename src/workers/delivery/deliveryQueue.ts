import type { JobsOptions } from 'bullmq';
import type { JobQueues, JobWorker } from '../jobQueues.js';
import { deliverLead, type DeliveryDeps } from './deliverLead.js';

export const DELIVERY_QUEUE = 'delivery';

/** Ids only: a lead's personal data never travels through the queue. */
export interface DeliveryJob {
  leadId: string;
}

/** Asks BullMQ to run the job again after the delay the delivery step computed. */
export class RetryLater extends Error {
  constructor(readonly delayMs: number) {
    super(`retry in ${delayMs} ms`);
    this.name = 'RetryLater';
  }
}

/**
 * Enqueues a lead's delivery. The job id derives from the lead id, so enqueueing twice is
 * one job; the sweeper passes a suffix to re-enqueue a lead whose job was lost.
 * Retries are counted in the lead's stream, not by BullMQ, whose attempts only bound them.
 */
export async function enqueueDelivery(queues: JobQueues, leadId: string, suffix?: string): Promise<void> {
  await queues.queue<DeliveryJob>(DELIVERY_QUEUE).add('deliver', { leadId }, deliveryJobOptions(leadId, suffix));
}

/** Enqueues a batch of newly accepted leads in one round trip (a lone lead without addBulk's MULTI, ~0.1 ms sooner). */
export async function enqueueDeliveries(queues: JobQueues, leadIds: string[]): Promise<void> {
  if (leadIds.length === 0) return;
  if (leadIds.length === 1) return enqueueDelivery(queues, leadIds[0]!);
  await queues.queue<DeliveryJob>(DELIVERY_QUEUE).addBulk(leadIds.map((leadId) => ({ name: 'deliver', data: { leadId }, opts: deliveryJobOptions(leadId) })));
}

function deliveryJobOptions(leadId: string, suffix?: string): JobsOptions {
  return { jobId: suffix ? `lead-${leadId}-${suffix}` : `lead-${leadId}`, attempts: 1000, backoff: { type: 'delivery' } };
}

export function startDeliveryWorker(queues: JobQueues, deps: DeliveryDeps, options: { concurrency: number; lockMs: number }): JobWorker {
  const worker = queues.worker<DeliveryJob>(
    DELIVERY_QUEUE,
    async (job) => {
      const result = await deliverLead(deps, job.data.leadId);
      if (result.status === 'retry') throw new RetryLater(result.delayMs);
      if (result.status === 'missing') deps.logger?.warn({ leadId: job.data.leadId }, 'delivery job for an unknown lead dropped');
      return result.status;
    },
    {
      concurrency: options.concurrency,
      // A crashed worker's job is picked up again after the lock lapses; the stream's
      // DeliveryAttemptStarted decides whether its CRM call must be presumed made.
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      settings: { backoffStrategy: (_attempts, _type, err) => (err instanceof RetryLater ? err.delayMs : 5000) },
    },
  );
  worker.on('failed', (_job, err) => {
    if (!(err instanceof RetryLater)) deps.logger?.error({ err }, 'delivery job failed');
  });
  worker.on('error', (err) => deps.logger?.warn({ err: err.message }, 'delivery worker error'));
  return worker;
}
