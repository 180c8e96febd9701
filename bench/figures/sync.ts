import { startBaseline } from '../baselines/start.js';
import { startCrm, type Crm } from '../crm.js';
import { fmt, ratio, type Figure, type FigureContext, type FigureRow } from '../figure.js';
import { createDatabase, queuePrefix } from '../infra.js';
import { LeadBodies } from '../leadBodies.js';
import { setupAffiliate, startLeadgate } from '../leadgate.js';
import { cpuNote, intakeSpec, measure, unexpectedAnswers, type LoadSpec } from '../load.js';
import { memoryOf } from '../processes.js';

const RSS_TARGET_MB = 300;
const ADDED_LATENCY_TARGET_MS = 5;
const delivered = (body: string) => body.includes('"autoLoginUrl"');

/**
 * The full path with the CRM answering at once (200 with autoLoginUrl) against bare
 * request-reply; on the same leadgate process, its peak memory during the run and the latency
 * it adds at one connection over calling the CRM directly.
 */
export const syncFigure: Figure = {
  id: 'sync',
  title: 'sync throughput, p99, added latency, memory',
  async run(ctx: FigureContext): Promise<FigureRow[]> {
    const { options, cleanup } = ctx;
    const db = await createDatabase(options.postgresUrl, 'sync', cleanup);
    const baseDb = await createDatabase(options.postgresUrl, 'sync_baseline', cleanup);
    const crm = await startCrm(cleanup);
    // Started together (idle servers cost next to nothing), measured one at a time.
    ctx.log('starting leadgate start and the baseline');
    const [leadgate, baseline] = await Promise.all([
      startLeadgate({ label: 'sync', databaseUrl: db.url, redisUrl: options.redisUrl, queuePrefix: queuePrefix(options.redisUrl, 'sync', cleanup) }, cleanup),
      startBaseline(
        'requestReply',
        { DATABASE_URL: baseDb.url, REDIS_URL: options.redisUrl, QUEUE_PREFIX: queuePrefix(options.redisUrl, 'sync-baseline', cleanup), CRM_URL: crm.leadsUrl },
        cleanup,
      ),
    ]);
    const oneConnection = { connections: 1, durationS: options.latencyDurationS, expectStatus: 200 };

    ctx.log('CRM called directly, one connection');
    const direct = await measure(crmDirectSpec(crm, oneConnection), options.runs, options.warmupS);

    ctx.log('leadgate start, full sync path');
    const affiliate = await setupAffiliate(leadgate.url, crm.leadsUrl);
    const bodies = new LeadBodies(affiliate.campaignId);
    let sampledPeakMb = 0;
    const sampler = setInterval(() => {
      sampledPeakMb = Math.max(sampledPeakMb, memoryOf(leadgate.pid)?.rssMb ?? 0);
    }, 200);
    const full = { connections: options.connections, durationS: options.durationS, expectStatus: 200, expectBody: delivered };
    const sync = await measure(intakeSpec(leadgate.url, bodies, affiliate.apiKey, full), options.runs, options.warmupS, leadgate.pid).finally(() => clearInterval(sampler));
    // VmHWM: the kernel's own high-water mark of the process's resident set.
    const memory = memoryOf(leadgate.pid);
    const peakMb = Math.max(memory?.peakMb ?? NaN, sampledPeakMb);
    ctx.log('leadgate, one connection');
    const single = await measure(intakeSpec(leadgate.url, bodies, affiliate.apiKey, { ...oneConnection, expectBody: delivered }), options.runs, options.warmupS);
    await leadgate.stop();

    ctx.log('baseline: bare request-reply (insert, BullMQ add, worker → CRM, waitUntilFinished)');
    const baseBodies = new LeadBodies('c_baseline');
    const base = await measure(intakeSpec(baseline.url, baseBodies, 'lg_baseline', full), options.runs, options.warmupS, baseline.child.pid);
    const baseSingle = await measure(intakeSpec(baseline.url, baseBodies, 'lg_baseline', { ...oneConnection, expectBody: delivered }), options.runs, options.warmupS);
    await baseline.stop();
    await crm.stop();

    const r = ratio(sync.rps, base.rps);
    const added = single.p50 - direct.p50;
    return [
      {
        figure: 'sync throughput (200 with autoLoginUrl)',
        leadgate: fmt.rate(sync.rps),
        baseline: fmt.rate(base.rps),
        ratio: r,
        target: '≥ 1.0× baseline',
        pass: r === null ? null : r >= 1,
        notes: [...cpuNote('answer (API, worker and projector in one process)', sync.cpuUs, base.cpuUs), ...unexpectedAnswers(sync.runs.map((x) => x.statuses), '200')],
        data: { leadgate: sync, baseline: base },
      },
      {
        figure: 'sync p99 latency',
        leadgate: fmt.ms(sync.p99),
        baseline: fmt.ms(base.p99),
        ratio: ratio(sync.p99, base.p99),
        target: '≤ baseline',
        pass: Number.isFinite(sync.p99) && Number.isFinite(base.p99) ? sync.p99 <= base.p99 : null,
      },
      {
        figure: 'added latency, 1 connection (p50 sync − p50 CRM direct)',
        leadgate: `${fmt.ms(added)} (p50 ${fmt.ms(single.p50)})`,
        baseline: `CRM direct p50 ${fmt.ms(direct.p50)}`,
        ratio: null,
        target: `≤ ${ADDED_LATENCY_TARGET_MS} ms`,
        pass: Number.isFinite(added) ? added <= ADDED_LATENCY_TARGET_MS : null,
        notes: [`bare request-reply adds ${fmt.ms(baseSingle.p50 - direct.p50)} at one connection (p50 ${fmt.ms(baseSingle.p50)})`],
        data: { leadgate: single, direct, baseline: baseSingle },
      },
      {
        figure: 'peak RSS of `leadgate start` during the sync run',
        leadgate: fmt.mb(peakMb),
        baseline: '—',
        ratio: null,
        target: `≤ ${RSS_TARGET_MB} MB`,
        pass: Number.isFinite(peakMb) ? peakMb <= RSS_TARGET_MB : null,
        data: { vmHwmMb: memory?.peakMb, sampledPeakMb },
      },
    ];
  },
};

function crmDirectSpec(crm: Crm, options: Pick<LoadSpec, 'connections' | 'durationS' | 'expectStatus'>): LoadSpec {
  const bodies = new LeadBodies('c_direct');
  const url = new URL(crm.leadsUrl);
  return { url: url.origin, path: url.pathname, headers: { 'x-api-key': 'bench-crm-secret' }, body: () => bodies.json(), ...options };
}
