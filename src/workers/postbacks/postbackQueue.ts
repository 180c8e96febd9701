import type { JobQueues } from '../jobQueues.js';

export const POSTBACK_QUEUE = 'postbacks';

/** Ids only: the values a postback reports stay in the database. */
export interface PostbackJob {
  deliveryId: string;
  series: number;
}

/** One job a delivery and series: the first series is the delivery id itself, a resend adds `-s<n>`. */
export function postbackJobId(deliveryId: string, series: number): string {
  return series === 0 ? deliveryId : `${deliveryId}-s${series}`;
}

/**
 * Enqueues a delivery's series. Adding a job id BullMQ already holds (waiting, delayed for a
 * retry, or kept after it finished) is a no-op, so enqueueing again is always safe.
 * Attempts are counted in the delivery's stream; BullMQ's `attempts` only bounds them.
 */
export async function enqueuePostback(queues: JobQueues, deliveryId: string, series: number): Promise<void> {
  await queues
    .queue<PostbackJob>(POSTBACK_QUEUE)
    .add('fire', { deliveryId, series }, { jobId: postbackJobId(deliveryId, series), attempts: 1000, backoff: { type: 'postback' } });
}
