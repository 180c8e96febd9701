import { cleanup } from '../support/cleanup.js';
import { describe, expect, it } from 'vitest';
import { openJobQueues, type JobQueues } from '../../src/workers/jobQueues.js';
import { createTestDatabase, redisUrl, uniquePrefix } from '../support/databases.js';
import { openTestStorage } from '../support/storages.js';

type Shape = 'embedded' | 'postgres' | 'postgres+redis';

async function queuesFor(shape: Shape): Promise<JobQueues> {
  if (shape === 'embedded') {
    const storage = await openTestStorage('embedded');
    return openJobQueues({ embeddedPool: storage.pool });
  }
  if (shape === 'postgres') {
    const database = await createTestDatabase('queues');
    cleanup(() => database.drop());
    return openJobQueues({ databaseUrl: database.url });
  }
  return openJobQueues({ redisUrl: redisUrl(), prefix: uniquePrefix('queues') });
}

describe.each<Shape>(['embedded', 'postgres', 'postgres+redis'])('BullMQ in the %s shape', (shape) => {
  it('processes enqueued jobs, each once, with the data it was given', async () => {
    const queues = await queuesFor(shape);
    const seen: number[] = [];
    const allDone = new Promise<void>((resolve) => {
      queues.worker<{ n: number }>(
        'smoke',
        async (job) => {
          seen.push(job.data.n);
          if (seen.length === 20) resolve();
        },
        { concurrency: 4 },
      );
    });
    const queue = queues.queue<{ n: number }>('smoke');
    for (let n = 0; n < 20; n++) await queue.add('job', { n }, { jobId: `smoke-${n}` });
    // The same job id again is not a second job: delivery relies on this.
    await queue.add('job', { n: 0 }, { jobId: 'smoke-0' });
    await allDone;
    await new Promise((r) => setTimeout(r, 200));
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    await queues.ping();
    await queues.close();
  });
});

describe('completed jobs kept on the PostgreSQL backend', () => {
  it('keeps the last 100 completed jobs for the dashboard, not 10,000 sorted on every completion', async () => {
    const queues = await queuesFor('postgres');
    const total = 130;
    const concurrency = 8;
    let done = 0;
    const allDone = new Promise<void>((resolve) => {
      queues.worker(
        'retention',
        async () => {
          if (++done === total) resolve();
        },
        { concurrency },
      );
    });
    const queue = queues.queue<{ n: number }>('retention');
    await queue.addBulk(Array.from({ length: total }, (_, n) => ({ name: 'job', data: { n }, opts: { jobId: `retention-${n}` } })));
    await allDone;
    // The last completion's trim runs in its own statement, after the processor returned. Each
    // trim counts what its snapshot sees: completions committing side by side can miss each
    // other's rows, so up to concurrency − 1 more than 100 may stay (seen: 102).
    const kept = async () => (await queue.getJobCounts('completed')).completed ?? 0;
    await expect.poll(kept, { timeout: 10_000 }).toBeLessThanOrEqual(100 + concurrency - 1);
    expect(await kept()).toBeGreaterThanOrEqual(100);
    await queues.close();
  });
});
