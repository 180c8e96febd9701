import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { BASELINE_TABLE_SQL, env, serveBare } from './bareKoa.js';
import { crmPoster } from './crmClient.js';

/**
 * Sync baseline, bare request-reply: insert, BullMQ add, a worker in the same process that
 * POSTs the lead to the CRM with a keep-alive client, and the request waits with
 * `job.waitUntilFinished(queueEvents)`, answering 200 with the auto-login URL.
 */
const concurrency = Number(process.env.CONCURRENCY ?? 50);
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 10, keepAlive: true });
await pool.query(BASELINE_TABLE_SQL);
const redisUrl = env('REDIS_URL');
const prefix = env('QUEUE_PREFIX');
const producer = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
const queue = new Queue('deliver', { connection: producer, prefix });
const queueEvents = new QueueEvents('deliver', { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix });
await queueEvents.waitUntilReady();
const crm = crmPoster(env('CRM_URL'), concurrency);
const worker = new Worker<Record<string, unknown>>('deliver', (job) => crm.post(job.data), {
  connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
  prefix,
  concurrency,
});
await serveBare(
  Number(env('PORT')),
  async (lead) => {
    const { rows } = await pool.query<{ id: string }>('insert into bench_leads (email, data) values ($1, $2) returning id', [String(lead.email), lead]);
    const leadId = rows[0]!.id;
    const job = await queue.add('deliver', lead, { jobId: `lead-${leadId}`, removeOnComplete: { age: 3600, count: 10_000 } });
    const result = (await job.waitUntilFinished(queueEvents, 10_000)) as { autoLoginUrl?: string };
    return { status: 200, body: { success: true, leadId, status: 'delivered', autoLoginUrl: result.autoLoginUrl } };
  },
  async () => {
    await worker.close();
    await Promise.all([queue.close(), queueEvents.close(), crm.close(), pool.end()]);
    producer.disconnect();
  },
);
