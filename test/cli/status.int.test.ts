import { cleanup } from '../support/cleanup.js';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/cli/status.js';
import { formatAge } from '../../src/cli/status.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { projectionLag } from '../../src/metrics/projectionLag.js';
import { openPostgres, type Storage } from '../../src/db/storage.js';
import { EventStore } from '../../src/events/eventStore.js';
import { event } from '../../src/events/events.js';
import { inlineProjections } from '../../src/projections/inline/index.js';
import { leadsReport } from '../../src/projections/leadsReport.js';
import { Projector } from '../../src/projections/projector.js';
import { openJobQueues } from '../../src/workers/jobQueues.js';
import { createTestDatabase, redisUrl, uniquePrefix } from '../support/databases.js';
import { leadReceived } from '../support/events.js';
import { spawnLeadgate, waitFor } from '../support/spawnLeadgate.js';

describe.each(['postgres', 'postgres+redis'] as const)('leadgate status (%s)', (shape) => {
  const env: Record<string, string> = {};
  let storage: Storage;

  beforeAll(async () => {
    const database = await createTestDatabase('cli_status');
    env.DATABASE_URL = database.url;
    if (shape === 'postgres+redis') Object.assign(env, { REDIS_URL: redisUrl(), QUEUE_PREFIX: uniquePrefix('status') });
    storage = await openPostgres(database.url);
    cleanup(async () => {
      await storage.close();
      await database.drop();
    });
    await migrateToLatest(storage.db);

    // Four leads: three pending, of which two untouched for two hours; one delivered.
    const store = new EventStore(storage.db, inlineProjections);
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const leadId of ids) await store.append(`lead-${leadId}`, [leadReceived({ leadId })], { expectedVersion: 'no_stream' });
    await store.append(`lead-${ids[3]}`, [event('LeadDelivered', { leadId: ids[3]!, attempt: 1, autoLoginUrl: 'https://crm.example/x' })], { expectedVersion: 1 });
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await storage.db.updateTable('leads').set({ received_at: twoHoursAgo, updated_at: twoHoursAgo }).where('lead_id', 'in', ids.slice(0, 2)).execute();
    // The report catches up; the postback triggers do not (no projector runs them). A
    // transaction open elsewhere on the server holds the gap-safe read back: try again.
    const projector = new Projector({ db: storage.db, projections: [leadsReport] });
    await waitFor(async () => {
      await projector.catchUp();
      const lag = await projectionLag(storage.db, ['leads_report']);
      return lag[0]!.lagEvents === 0 ? true : undefined;
    }, 20_000, 'leads_report to catch up');

    // Two waiting delivery jobs, the older added 90 s ago, and one delayed.
    const queues = await openJobQueues({ redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX, databaseUrl: env.DATABASE_URL });
    try {
      const delivery = queues.queue('delivery');
      await delivery.add('deliver', { leadId: ids[0] }, { jobId: `lead-${ids[0]}`, timestamp: Date.now() - 90_000 });
      await delivery.add('deliver', { leadId: ids[1] }, { jobId: `lead-${ids[1]}` });
      await delivery.add('deliver', { leadId: ids[2] }, { jobId: `lead-${ids[2]}`, delay: 600_000 });
    } finally {
      await queues.close();
    }
  });

  it('reports queue depths, projection positions and lag, and stuck leads as JSON', async () => {
    const run = spawnLeadgate(['status', '--json'], { env });
    expect(await run.exited, run.output()).toBe(0);
    const report = JSON.parse(run.output()) as StatusReport;
    expect(report.shape).toBe(shape);
    expect(report.queueBackend).toBe(shape === 'postgres' ? 'postgres' : 'redis');
    const delivery = report.queues.find((q) => q.queue === 'delivery')!;
    expect(delivery.counts).toMatchObject({ wait: 2, active: 0, delayed: 1, failed: 0 });
    expect(delivery.oldestWaitingSeconds).toBeGreaterThanOrEqual(90);
    expect(delivery.oldestWaitingSeconds).toBeLessThan(300);
    expect(report.queues.find((q) => q.queue === 'postbacks')).toMatchObject({ counts: { wait: 0 }, oldestWaitingSeconds: 0 });

    const head = await storage.db.selectFrom('events').select((eb) => eb.fn.max('global_position').as('head')).executeTakeFirstOrThrow();
    expect(report.projections.find((p) => p.name === 'leads_report')).toMatchObject({ position: String(head.head), lagEvents: 0, lagSeconds: 0, replaying: false });
    const triggers = report.projections.find((p) => p.name === 'postback_triggers')!;
    expect(triggers).toMatchObject({ position: '0', lagEvents: 5 });
    expect(triggers.lagSeconds).toBeGreaterThanOrEqual(0);

    expect(report.stuckLeads).toEqual({ count: 2, afterMs: 60_000 });
  }, 60_000);

  it('prints the same as a table', async () => {
    const run = spawnLeadgate(['status'], { env: { ...env, SWEEP_AFTER_MS: String(3 * 3600_000) } });
    expect(await run.exited, run.output()).toBe(0);
    const out = run.output();
    expect(out).toContain(`leadgate status: storage ${shape}, queues on ${shape === 'postgres' ? 'postgres' : 'redis'}`);
    expect(out).toMatch(/^ {2}delivery +2 +0 +1 +0 +0 +\dm\d\ds$/m);
    expect(out).toMatch(/^ {2}postbacks +0 +0 +0 +0 +0 +-$/m);
    expect(out).toMatch(/^ {2}postback_triggers +0 +5 +\S+$/m);
    // Nothing is stuck when the sweeper waits three hours.
    expect(out).toContain('Stuck leads: 0 (pending with nothing happening for over 3h00m');
  }, 60_000);
});

describe('leadgate status on a database nothing has migrated', () => {
  it('says to migrate, and exits 1', async () => {
    const database = await createTestDatabase('cli_status_empty');
    cleanup(() => database.drop());
    const run = spawnLeadgate(['status'], { env: { DATABASE_URL: database.url } });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('run `leadgate migrate`');
  }, 60_000);
});

describe('leadgate --help', () => {
  it('lists every command, and each command has its own help', async () => {
    const run = spawnLeadgate(['--help']);
    const status = spawnLeadgate(['status', '--help']);
    expect(await run.exited).toBe(0);
    for (const command of ['start', 'api', 'worker', 'projector', 'migrate', 'replay', 'status', 'create-admin']) expect(run.output()).toContain(`  ${command}`);
    expect(await status.exited).toBe(0);
    expect(status.output()).toContain('--json');
  }, 60_000);
});

describe('formatAge', () => {
  it.each([
    [0, '-'],
    [0.42, '0.4s'],
    [59.9, '59.9s'],
    [75, '1m15s'],
    [7300, '2h01m'],
  ])('shows %s seconds as %s', (seconds, shown) => {
    expect(formatAge(seconds)).toBe(shown);
  });
});
