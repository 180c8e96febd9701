import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startBaseline } from '../baselines/start.js';
import { startCrm } from '../crm.js';
import { fmt, ratio, type Figure, type FigureContext, type FigureRow } from '../figure.js';
import { createDatabase, queuePrefix } from '../infra.js';
import { LeadBodies } from '../leadBodies.js';
import { setupAffiliate, startLeadgate, type LeadgateOptions } from '../leadgate.js';
import { cpuNote, intakeSpec, measure, unexpectedAnswers } from '../load.js';

type Shape = 'postgres' | 'embedded';

/**
 * Accept throughput: intake with a sync window of 0 (authenticate, validate, append
 * LeadReceived, enqueue, answer 202) against bare Koa doing one insert. leadgate runs the
 * `api` role, the part that accepts; a second row shows `leadgate start`, whose workers
 * deliver the accepted leads on the same cores meanwhile.
 */
export const acceptFigure: Figure = {
  id: 'accept',
  title: 'accept throughput',
  run: (ctx) => acceptRows(ctx, 'postgres'),
};

/** The same on the embedded shape: PGlite, no DATABASE_URL, against bare Koa inserting into PGlite. */
export const embeddedFigure: Figure = {
  id: 'embedded',
  title: 'embedded accept throughput',
  run: (ctx) => acceptRows(ctx, 'embedded'),
};

async function acceptRows(ctx: FigureContext, shape: Shape): Promise<FigureRow[]> {
  const { options, cleanup } = ctx;
  const storage = async (label: string): Promise<Pick<LeadgateOptions, 'databaseUrl' | 'redisUrl' | 'queuePrefix' | 'dataDir'>> =>
    shape === 'embedded'
      ? { dataDir: await tempDir(ctx, label) }
      : { databaseUrl: (await createDatabase(options.postgresUrl, label, cleanup)).url, redisUrl: options.redisUrl, queuePrefix: queuePrefix(options.redisUrl, label, cleanup) };
  const roles = options.acceptWithWorkers ? (['api', 'start'] as const) : (['api'] as const);
  const leadgateOf = async (role: (typeof roles)[number]) => {
    const label = `accept_${shape}_${role}`;
    return startLeadgate({ label, role, syncWindowMs: 0, ...(await storage(label)) }, cleanup);
  };
  const baselineOf = async () => {
    const base = await storage(`accept_${shape}_baseline`);
    return shape === 'embedded'
      ? startBaseline('acceptPglite', { DATA_DIR: base.dataDir! }, cleanup)
      : startBaseline('acceptPg', { DATABASE_URL: base.databaseUrl! }, cleanup);
  };
  // Started together (idle servers cost nothing), measured one at a time.
  ctx.log(`starting leadgate ${roles.join(' and ')} (${shape}), the baseline and the CRM`);
  const [crm, baseline, ...leadgates] = await Promise.all([startCrm(cleanup), baselineOf(), ...roles.map(leadgateOf)]);

  const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  for (const [i, role] of roles.entries()) {
    const leadgate = leadgates[i]!;
    ctx.log(`leadgate ${role} (${shape}), sync window 0`);
    const affiliate = await setupAffiliate(leadgate.url, crm.leadsUrl);
    const spec = intakeSpec(leadgate.url, new LeadBodies(affiliate.campaignId), affiliate.apiKey, {
      connections: options.connections,
      durationS: options.durationS,
      expectStatus: 202,
    });
    results[role] = await measure(spec, options.runs, options.warmupS, leadgate.pid);
    await leadgate.stop();
  }

  ctx.log(`baseline: bare Koa + one insert (${shape === 'embedded' ? 'PGlite' : 'pg pool, INSERT … RETURNING'})`);
  const base = await measure(
    intakeSpec(baseline.url, new LeadBodies('c_baseline'), 'lg_baseline', { connections: options.connections, durationS: options.durationS, expectStatus: 202 }),
    options.runs,
    options.warmupS,
    baseline.child.pid,
  );
  await baseline.stop();
  await crm.stop();

  const api = results.api!;
  const start = results.start;
  const r = ratio(api.rps, base.rps);
  const name = shape === 'embedded' ? 'embedded accept throughput (PGlite, api role, 202)' : 'accept throughput (api role, sync window 0, 202)';
  return [
    {
      figure: name,
      leadgate: fmt.rate(api.rps),
      baseline: fmt.rate(base.rps),
      ratio: r,
      target: '≥ 1.0× baseline',
      pass: r === null ? null : r >= 1,
      notes: [`p99 ${fmt.ms(api.p99)} vs ${fmt.ms(base.p99)}`, ...cpuNote('answer', api.cpuUs, base.cpuUs), ...unexpectedAnswers(api.runs.map((x) => x.statuses), '202')],
      data: { leadgate: api, baseline: base },
    },
    ...(start
      ? [
          {
            figure: '  same, `leadgate start` (workers delivering meanwhile)',
            leadgate: fmt.rate(start.rps),
            baseline: fmt.rate(base.rps),
            ratio: ratio(start.rps, base.rps),
            target: 'info',
            pass: null,
            notes: unexpectedAnswers(start.runs.map((x) => x.statuses), '202'),
            data: { leadgate: start },
          },
        ]
      : []),
  ];
}

async function tempDir(ctx: FigureContext, label: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `leadgate-bench-${label}-`));
  ctx.cleanup.add(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}
