import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { env } from './bareKoa.js';
import { crmPoster } from './crmClient.js';

/** Delivery baseline: a bare BullMQ worker draining queued leads to the CRM with a keep-alive client. */
const concurrency = Number(process.env.CONCURRENCY ?? 50);
const crm = crmPoster(env('CRM_URL'), concurrency);
const worker = new Worker<Record<string, unknown>>('drain', (job) => crm.post(job.data), {
  connection: new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null }),
  prefix: env('QUEUE_PREFIX'),
  concurrency,
});
process.on('SIGTERM', () => {
  void worker.close().then(() => crm.close()).finally(() => process.exit(0));
});
