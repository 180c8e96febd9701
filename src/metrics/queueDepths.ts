import { DELIVERY_QUEUE } from '../workers/delivery/deliveryQueue.js';
import type { JobQueue, JobQueues } from '../workers/jobQueues.js';
import { POSTBACK_QUEUE } from '../workers/postbacks/postbackQueue.js';

/** Every queue leadgate runs: what the metrics, `leadgate status` and the queue board show. */
export const QUEUE_NAMES: readonly string[] = [DELIVERY_QUEUE, POSTBACK_QUEUE];

/** The job states worth watching; completed jobs are kept only briefly (defaultJobOptions). */
export const QUEUE_STATES = ['wait', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export interface QueueDepth {
  queue: string;
  counts: Record<QueueState, number>;
  /** Seconds since the oldest waiting job was added; 0 with none waiting. */
  oldestWaitingSeconds: number;
}

/** The part of a BullMQ Queue that reads jobs back; JobQueue leaves it out as only this module needs it. */
interface JobReader {
  getJobs(types: string[], start: number, end: number, asc: boolean): Promise<({ timestamp: number } | undefined)[]>;
}

function canReadJobs(queue: JobQueue<unknown>): queue is JobQueue<unknown> & JobReader {
  return typeof (queue as Partial<JobReader>).getJobs === 'function';
}

/**
 * When the oldest waiting job was added: the last of the wait list read newest first. Only
 * that order means the same on both backends (the PostgreSQL backend applies `asc` after
 * slicing, Redis before), so the index comes from the count just read; a job taken in
 * between leaves the slot empty and the age unknown for this scrape.
 */
async function oldestWaiting(queue: JobQueue<unknown>, waiting: number): Promise<number | undefined> {
  if (!canReadJobs(queue) || waiting === 0) return undefined;
  const [job] = await queue.getJobs(['wait'], waiting - 1, waiting - 1, false);
  return job?.timestamp;
}

/**
 * Each queue's job counts by state and the age of its oldest waiting job, the same on the
 * Redis and the PostgreSQL backend. A growing age with workers up means they cannot keep up.
 */
export async function queueDepths(queues: JobQueues, names: readonly string[] = QUEUE_NAMES, now = Date.now()): Promise<QueueDepth[]> {
  return Promise.all(
    names.map(async (name) => {
      const queue = queues.queue<unknown>(name);
      const raw = await queue.getJobCounts(...QUEUE_STATES);
      const counts = Object.fromEntries(QUEUE_STATES.map((state) => [state, Number(raw[state] ?? 0)])) as Record<QueueState, number>;
      const oldest = await oldestWaiting(queue, counts.wait);
      return { queue: name, counts, oldestWaitingSeconds: oldest === undefined ? 0 : Math.max((now - oldest) / 1000, 0) };
    }),
  );
}
