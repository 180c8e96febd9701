import { cleanup } from '../support/cleanup.js';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openPostgres } from '../../src/db/storage.js';
import { readStream } from '../../src/events/readStream.js';
import { createLogger } from '../../src/logger.js';
import { boot } from '../../src/runtime.js';
import { createTestDatabase, redisUrl, uniquePrefix } from '../support/databases.js';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { spawnLeadgate, waitFor, type Spawned } from '../support/spawnLeadgate.js';
import { ADMIN, SECRET_KEY, type TestServer } from '../support/testServer.js';

const FINAL = ['LeadDelivered', 'LeadRejected', 'LeadDeliveryFailed'];

/**
 * Roles as separate OS processes on one Postgres and one Redis, as a fleet runs them.
 * The API process is booted in-test (so fixtures can use its admin session); workers are
 * real child processes we can SIGKILL.
 */
async function fleet(label: string, extraEnv: Record<string, string> = {}) {
  const database = await createTestDatabase(label);
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: uniquePrefix(label),
    SECRET_KEY,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ALLOW_PRIVATE_TARGETS: 'true',
    DEMO: 'false',
    LOG_LEVEL: 'warn',
    SYNC_WINDOW_MS: '0',
    WORKER_LOCK_MS: '2000',
    ...extraEnv,
  };
  const runtime = await boot(loadConfig({ ...env, PORT: '0', HOST: '127.0.0.1' }), { roles: ['api', 'projector'], logger: createLogger('silent') });
  const admin = new HttpSession(runtime.url!);
  await admin.login(ADMIN.email, ADMIN.password);
  const server = { runtime, url: runtime.url!, admin, anonymous: new HttpSession(runtime.url!) } as TestServer;
  const workers: Spawned[] = [];
  const startWorker = () => {
    const w = spawnLeadgate(['worker'], { env: { ...env, PORT: '0' } });
    workers.push(w);
    return w;
  };
  cleanup(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await runtime.close();
    await database.drop();
  });
  return { env, server, startWorker, databaseUrl: database.url };
}

describe('crashes and lost queues (real Postgres and Redis, separate processes)', () => {
  it('a worker SIGKILLed mid-delivery: the lead still ends with exactly one outcome', async () => {
    const crm = await startFakeCrm((_call, index) => (index === 0 ? { delayMs: 1500 } : {}));
    const { server, startWorker } = await fleet('crash_kill');
    const aff = await setupAffiliate(server, { crmUrl: crm.url, integration: { timeoutMs: 1000, retry: { attempts: 3, baseDelayMs: 100 } } });
    const first = startWorker();

    const res = await HttpSession.withToken(server.url, aff.apiKey).post('/api/v1/leads', leadBody(aff.campaignId));
    expect(res.status).toBe(202);
    await waitFor(async () => (crm.calls.length > 0 ? true : undefined), 20_000, 'the CRM call');
    first.child.kill('SIGKILL');
    await first.exited;

    startWorker();
    const db = server.runtime.deps.storage.db;
    const events = await waitFor(async () => {
      const stream = await readStream(db, `lead-${res.body.leadId}`);
      return stream.some((e) => FINAL.includes(e.type)) ? stream : undefined;
    }, 40_000, 'an outcome after the crash');
    // Let any straggling job run, then look again: still one outcome.
    await new Promise((r) => setTimeout(r, 3000));
    const after = await readStream(db, `lead-${res.body.leadId}`);
    expect(after.filter((e) => FINAL.includes(e.type))).toHaveLength(1);
    expect(after.at(-1)!.type).toBe('LeadDelivered');
    const interrupted = after.find((e) => e.type === 'DeliveryAttemptFailed');
    expect(interrupted?.data).toMatchObject({ attempt: 1, outcomeUnknown: true });
    // The interrupted call, then exactly one more.
    expect(crm.calls).toHaveLength(2);
    expect(events.filter((e) => e.type === 'DeliveryAttemptStarted')).toHaveLength(2);
  });

  it("Redis losing the queue after acceptance: the sweeper delivers the lead", async () => {
    const crm = await startFakeCrm();
    const { server, env, startWorker } = await fleet('crash_flush', { SWEEP_AFTER_MS: '1000' });
    const aff = await setupAffiliate(server, { crmUrl: crm.url });
    const res = await HttpSession.withToken(server.url, aff.apiKey).post('/api/v1/leads', leadBody(aff.campaignId));
    expect(res.status).toBe(202);

    // FLUSHALL would also wipe the queues of test files running beside this one; deleting
    // every key of this installation's prefix loses exactly what FLUSHALL would lose for it.
    const redis = new Redis(env.REDIS_URL);
    const keys = await redis.keys(`${env.QUEUE_PREFIX}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    expect(await redis.keys(`${env.QUEUE_PREFIX}:*`)).toHaveLength(0);
    redis.disconnect();

    startWorker();
    const pg = await openPostgres(env.DATABASE_URL);
    const row = await waitFor(async () => {
      const r = await pg.db.selectFrom('leads').select(['status']).where('lead_id', '=', res.body.leadId).executeTakeFirst();
      return r?.status === 'delivered' ? r : undefined;
    }, 30_000, 'the sweeper to deliver the lead');
    await pg.close();
    expect(row.status).toBe('delivered');
    expect(crm.calls).toHaveLength(1);
  });
});
