import pg from 'pg';
import { startBaseline } from '../baselines/start.js';
import { sleep, TimeoutError } from '../cleanup.js';
import { startCrm, type Crm } from '../crm.js';
import { fmt, ratio, type Figure, type FigureContext, type FigureRow } from '../figure.js';
import { createDatabase, queuePrefix, secretKey } from '../infra.js';
import { LeadBodies } from '../leadBodies.js';
import { DELIVERY_QUEUE } from '../../src/workers/delivery/deliveryQueue.js';
import { pausableQueue, type PausableQueue } from '../pausableQueue.js';
import { setupAffiliate, startLeadgate } from '../leadgate.js';
import { cpuNote, intakeSpec, load, median } from '../load.js';
import { cpuMsOf, cpuPerItemUs, machineBusyMs } from '../processes.js';

const TARGET_RATIO = 0.5;

/**
 * Delivery throughput: N leads already accepted while the workers do not run, then the
 * workers drain them to the CRM.
 *
 * leadgate: `leadgate api` (sync window 0) accepts N leads into its delivery queue, paused
 * from outside with BullMQ's own Queue.pause; a `leadgate worker` process waits on it; the
 * queue resumes and the run ends when no lead is `pending`. Baseline: N jobs added to a paused
 * queue, a bare BullMQ worker process waiting, resume, done when no job is left.
 * The clock starts at the CRM's first request after resume, so start-up and resume are not
 * counted, and stops when the side has nothing left (leadgate: no lead \`pending\`, its outcome
 * recorded; baseline: no job left). Progress is read from the CRM's counter, the same for both
 * sides: polling \`count(*)\` of pending leads every 20 ms cost PostgreSQL ~3 ms a time while
 * thousands were pending, a seventh of a core taken from leadgate's side only; the count is
 * asked only once the CRM has had every lead. Each side first drains a fifth as many
 * unmeasured (warm-up), as the load figures warm up.
 * The sweeper (which re-enqueues leads pending for SWEEP_AFTER_MS) is set to an hour, so a
 * backlog older than its default minute is not enqueued twice by the bench's own pause.
 */
export const deliveryFigure: Figure = {
  id: 'delivery',
  title: 'delivery throughput',
  async run(ctx: FigureContext): Promise<FigureRow[]> {
    const { options, cleanup } = ctx;
    const n = options.deliveryLeads;
    const db = await createDatabase(options.postgresUrl, 'delivery', cleanup);
    const prefix = queuePrefix(options.redisUrl, 'delivery', cleanup);
    const basePrefix = queuePrefix(options.redisUrl, 'delivery-baseline', cleanup);
    const shared = {
      databaseUrl: db.url,
      redisUrl: options.redisUrl,
      queuePrefix: prefix,
      secretKey: secretKey(),
      syncWindowMs: 0,
      env: { SWEEP_AFTER_MS: '3600000' },
    };
    const crm = await startCrm(cleanup);
    const leadgateQueue = pausableQueue(options.redisUrl, DELIVERY_QUEUE, prefix, cleanup);
    const baseQueue = pausableQueue(options.redisUrl, 'drain', basePrefix, cleanup);
    await Promise.all([leadgateQueue.pause(), baseQueue.pause()]);

    ctx.log('starting leadgate api, leadgate worker and the baseline worker (queues paused)');
    const [api, worker, baseWorker] = await Promise.all([
      startLeadgate({ ...shared, label: 'delivery', role: 'api' }, cleanup),
      startLeadgate({ ...shared, label: 'delivery-worker', role: 'worker' }, cleanup),
      startBaseline('drainWorker', { REDIS_URL: options.redisUrl, QUEUE_PREFIX: basePrefix, CRM_URL: crm.leadsUrl }, cleanup),
    ]);
    const affiliate = await setupAffiliate(api.url, crm.leadsUrl);
    const bodies = new LeadBodies(affiliate.campaignId);
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    cleanup.add('close delivery pool', () => pool.end());
    const pending = async () => Number((await pool.query<{ n: string }>("select count(*) as n from leads where status = 'pending'")).rows[0]!.n);
    const runTimeout = options.figureTimeoutMs / (2 * options.runs);

    // A warm-up round first on each side (a fifth of the leads, not counted): a worker's
    // first drain runs code the JIT has not compiled yet, and the bare worker's speeds up the most.
    const rounds = [Math.max(100, Math.round(n / 5)), ...Array.from({ length: options.runs }, () => n)];

    const leadgateSide = await drainRounds(ctx, rounds, runTimeout, crm, {
      name: 'leadgate',
      queue: leadgateQueue,
      workerPid: worker.pid,
      remaining: pending,
      async fill(count) {
        const accepted = await load(intakeSpec(api.url, bodies, affiliate.apiKey, { connections: options.connections, amount: count, expectStatus: 202 }));
        const queued = await pending();
        if (queued < count * 0.99) throw new Error(`only ${queued} of ${count} leads pending after intake (${JSON.stringify(accepted.statuses)})`);
        return queued;
      },
    });
    await Promise.all([api.stop(), worker.stop()]);

    const baseBodies = new LeadBodies('c_baseline');
    const baseSide = await drainRounds(ctx, rounds, runTimeout, crm, {
      name: 'baseline',
      queue: baseQueue,
      workerPid: baseWorker.child.pid,
      remaining: () => baseQueue.remaining(),
      async fill(count) {
        for (let i = 0; i < count; i += 1000) {
          await baseQueue.queue.addBulk(Array.from({ length: Math.min(1000, count - i) }, () => ({ name: 'deliver', data: baseBodies.next() })));
        }
        return baseQueue.remaining();
      },
    });
    await baseWorker.stop();
    await crm.stop();

    const lg = median(leadgateSide.rates);
    const base = median(baseSide.rates);
    const r = ratio(lg, base);
    return [
      {
        figure: `delivery throughput (${n.toLocaleString('en-US')} queued leads drained)`,
        leadgate: fmt.rate(lg, 'leads/s'),
        baseline: fmt.rate(base, 'jobs/s'),
        ratio: r,
        target: `≥ ${TARGET_RATIO}× baseline`,
        pass: r === null ? null : r >= TARGET_RATIO,
        notes: [
          ...cpuNote('lead (worker process)', median(leadgateSide.cpuUs), median(baseSide.cpuUs)),
          ...machineNote(median(leadgateSide.machineUs), median(baseSide.machineUs)),
        ],
        data: {
          leadgateRuns: leadgateSide.rates,
          baselineRuns: baseSide.rates,
          leadgateCpuUs: leadgateSide.cpuUs,
          baselineCpuUs: baseSide.cpuUs,
          leadgateMachineCpuUs: leadgateSide.machineUs,
          baselineMachineCpuUs: baseSide.machineUs,
        },
      },
    ];
  },
};

/**
 * The machine's CPU per item over the drain, database and Redis included: with both sides
 * bound by the two cores, 0.5× the throughput allows at most twice the baseline's.
 */
function machineNote(leadgateUs: number, baselineUs: number): string[] {
  if (!Number.isFinite(leadgateUs) || !Number.isFinite(baselineUs) || baselineUs <= 0) return [];
  return [`machine CPU per lead, every process (worker, database, Redis, CRM, bench): leadgate ${Math.round(leadgateUs)} µs, baseline ${Math.round(baselineUs)} µs (${(leadgateUs / baselineUs).toFixed(1)}×)`];
}

interface DrainSide {
  name: string;
  queue: PausableQueue;
  workerPid: number;
  /** Puts `count` items on the paused queue; answers how many are queued. */
  fill(count: number): Promise<number>;
  remaining(): Promise<number>;
}

/** Each round: fill the paused queue, resume, time the drain and the worker's CPU; the first round is warm-up, not counted. */
async function drainRounds(ctx: FigureContext, rounds: number[], timeoutMs: number, crm: Crm, side: DrainSide): Promise<{ rates: number[]; cpuUs: number[]; machineUs: number[] }> {
  const rates: number[] = [];
  const cpuUs: number[] = [];
  const machineUs: number[] = [];
  for (const [round, count] of rounds.entries()) {
    ctx.log(round === 0 ? `${side.name} warm-up: ${count} items` : `${side.name} run ${round}: ${count} items queued, queue paused`);
    await side.queue.pause();
    const queued = await side.fill(count);
    const sentBefore = await crm.received();
    const cpuBefore = cpuMsOf(side.workerPid);
    const busyBefore = machineBusyMs();
    await side.queue.resume();
    const rate = await drainRate(queued, async () => (await crm.received()) - sentBefore, side.remaining, timeoutMs);
    if (round === 0) continue;
    rates.push(rate);
    cpuUs.push(cpuPerItemUs(cpuBefore, cpuMsOf(side.workerPid), queued));
    machineUs.push(cpuPerItemUs(busyBefore, machineBusyMs(), queued));
  }
  return { rates, cpuUs, machineUs };
}

/**
 * Polls the CRM's count of requests until it has had all `total`, then `remaining` until
 * nothing is left; the rate counts from the first request seen, so start-up is left out.
 */
async function drainRate(total: number, sent: () => Promise<number>, remaining: () => Promise<number>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let startedAt: number | undefined;
  let atStart = total;
  for (let done = 0; ; ) {
    if (done < total) done = await sent();
    const left = done < total ? total - done : await remaining();
    const now = performance.now();
    if (startedAt === undefined && done > 0) {
      startedAt = now;
      atStart = total - done;
    }
    if (left === 0) return startedAt === undefined || now === startedAt ? NaN : (atStart / (now - startedAt)) * 1000;
    if (Date.now() > deadline) throw new TimeoutError(`drain did not finish: ${left} of ${total} left`);
    await sleep(20);
  }
}
