import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Cleanup } from './cleanup.js';

export type PausableQueue = ReturnType<typeof pausableQueue>;

/** A BullMQ queue the bench pauses and resumes from outside (Queue.pause holds every worker of it). */
export function pausableQueue(redisUrl: string, name: string, prefix: string, cleanup: Cleanup) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const queue = new Queue(name, { connection: redis, prefix });
  cleanup.add(`close queue ${prefix}:${name}`, async () => {
    await queue.close();
    redis.disconnect();
  });
  return {
    queue,
    pause: () => queue.pause(),
    resume: () => queue.resume(),
    /** Jobs not finished yet. */
    async remaining() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).reduce((a, b) => a + b, 0);
    },
  };
}

