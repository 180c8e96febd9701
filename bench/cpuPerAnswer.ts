import { Cleanup } from './cleanup.js';
import { startCrm } from './crm.js';
import { createDatabase, queuePrefix } from './infra.js';
import { affiliateIntakeLoad, startLeadgate } from './leadgate.js';
import { measure, median } from './load.js';
import { argumentsOrExit, parseOptions } from './options.js';
import { cleanUpOnExit } from './processes.js';

/**
 * A/B of leadgate's CPU per answer under the bench's load: leadgate as it is against variants
 * of its Node flags or environment, in alternating runs, each on a fresh database. On a VM
 * whose speed drifts by tens of per cent within the hour, throughput alone hides changes of
 * 10–20 %; the server process's CPU per answer, compared run against neighbouring run, shows
 * them.
 *
 *   npx tsx bench/cpuPerAnswer.ts sync|accept [--rounds=3] [--seconds=6] [--connections=50] [--variant="<flags and KEY=VALUE …>"]…
 *
 * `sync`: `leadgate start`, the full path (200 with autoLoginUrl); `accept`: `leadgate api`
 * with sync window 0 (202). A variant's words starting with `--` are Node flags, `KEY=VALUE`
 * words environment, e.g. --variant="--max-semi-space-size=64" --variant="DELIVERY_CONCURRENCY=100";
 * the flags follow bin/leadgate.js's own, so they override them.
 * `--connections=1` measures one lead at a time, the added-latency path, where p50 is the
 * figure to compare. To compare two versions of the code, run it in each checkout, alternating by hand.
 */
interface Variant {
  label: string;
  nodeArgs: string[];
  env: Record<string, string>;
}

function parseArgs(argv: readonly string[]): { mode: 'sync' | 'accept'; rounds: number; seconds: number; connections?: number; variants: Variant[] } {
  const [mode, ...rest] = argv;
  if (mode !== 'sync' && mode !== 'accept') throw new Error('usage: npx tsx bench/cpuPerAnswer.ts sync|accept [--rounds=N] [--seconds=N] [--connections=N] [--variant="…"]…');
  let rounds = 3;
  let seconds = 6;
  let connections: number | undefined;
  const variants: Variant[] = [{ label: 'as is', nodeArgs: [], env: {} }];
  for (const arg of rest) {
    const [name, value = ''] = arg.split(/=(.*)/s);
    if (name === '--rounds') rounds = Number(value);
    else if (name === '--seconds') seconds = Number(value);
    else if (name === '--connections') connections = Number(value);
    else if (name === '--variant') {
      const words = value.split(/\s+/).filter(Boolean);
      const env = Object.fromEntries(words.filter((w) => !w.startsWith('--')).map((w) => w.split(/=(.*)/s).slice(0, 2) as [string, string]));
      variants.push({ label: value, nodeArgs: words.filter((w) => w.startsWith('--')), env });
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!(rounds >= 1 && seconds >= 1)) throw new Error('--rounds and --seconds must be at least 1');
  if (connections !== undefined && !(Number.isInteger(connections) && connections >= 1)) throw new Error('--connections must be a positive integer');
  return { mode, rounds, seconds, connections, variants };
}

const { mode, rounds, seconds, connections, variants } = argumentsOrExit(parseArgs);
const options = parseOptions([]);
const cleanup = new Cleanup();
cleanUpOnExit(() => cleanup);
const results = new Map<Variant, { cpuUs: number; p50: number }[]>(variants.map((v) => [v, []]));
try {
  const crm = await startCrm(cleanup);
  for (let round = 1; round <= rounds; round++) {
    for (const variant of variants) {
      const db = await createDatabase(options.postgresUrl, `cpu_${mode}`, cleanup);
      const leadgate = await startLeadgate(
        {
          label: `cpu-${mode}`,
          role: mode === 'sync' ? 'start' : 'api',
          databaseUrl: db.url,
          redisUrl: options.redisUrl,
          queuePrefix: queuePrefix(options.redisUrl, 'cpu', cleanup),
          ...(mode === 'sync' ? {} : { syncWindowMs: 0 }),
          nodeArgs: variant.nodeArgs,
          env: variant.env,
        },
        cleanup,
      );
      const spec = await affiliateIntakeLoad(leadgate, crm.leadsUrl, { sync: mode === 'sync', connections: connections ?? options.connections, durationS: seconds });
      const run = await measure(spec, 1, 2, leadgate.pid);
      results.get(variant)!.push({ cpuUs: run.cpuUs, p50: run.p50 });
      console.log(`round ${round} [${variant.label}] ${Math.round(run.rps)} answers/s, p50 ${run.p50.toFixed(2)} ms, p99 ${run.p99.toFixed(1)} ms, ${run.cpuUs.toFixed(0)} µs of CPU an answer`);
      await leadgate.stop();
    }
  }
  console.log(`\n${mode}, ${rounds} round(s) of ${seconds} s, leadgate's process CPU per answer (every thread):`);
  for (const [variant, runs] of results) {
    const us = runs.map((r) => r.cpuUs);
    const p50 = runs.map((r) => r.p50);
    console.log(`  [${variant.label}] median ${median(us).toFixed(0)} µs (${us.map((u) => u.toFixed(0)).join(', ')}); p50 median ${median(p50).toFixed(2)} ms (${p50.map((p) => p.toFixed(2)).join(', ')})`);
  }
} finally {
  await cleanup.runAll();
}
