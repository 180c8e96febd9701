import os from 'node:os';
import { ensureBuild } from '../scripts/build.mjs';
import { Cleanup, withTimeout } from './cleanup.js';
import type { Figure, FigureRow } from './figure.js';
import { acceptFigure, embeddedFigure } from './figures/accept.js';
import { deliveryFigure } from './figures/delivery.js';
import { replayFigure } from './figures/replay.js';
import { reportsFigure } from './figures/reports.js';
import { syncFigure } from './figures/sync.js';
import { removeLeftovers } from './infra.js';
import { parseOptions } from './options.js';
import { cleanUpOnExit } from './processes.js';
import { formatTable, machine, writeResults } from './report.js';

/**
 * `npm run bench [-- --quick] [--strict]`: each figure of issue 7 measured against its bare
 * baseline in the same run, one table, results as JSON. See bench/README.md.
 */
const figures: Figure[] = [acceptFigure, syncFigure, deliveryFigure, replayFigure, reportsFigure, embeddedFigure];

const options = parseOptions(process.argv.slice(2));
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
let current: Cleanup | undefined;

cleanUpOnExit(() => current);

const m = machine();
console.log(`leadgate bench${options.quick ? ' (--quick)' : ''}: ${m.cores} cores (${m.cpu}), ${m.memoryGb} GB, Node ${m.node}`);
console.log(
  `The load generator (autocannon, ${options.connections} connections), the servers under test, the CRM stand-in, PostgreSQL and Redis all share these ${m.cores} cores.`,
);
console.log(`${options.runs} run(s) of ${options.durationS} s per figure after ${options.warmupS} s of warm-up; medians.`);
const loadAtStart = os.loadavg();
console.log(`Load average before the run: ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} (anything else busy on the machine skews every figure).\n`);

// leadgate runs compiled, as `npx leadgate` does; built once here rather than by its first processes.
await ensureBuild();

const leftovers = await removeLeftovers(options.postgresUrl, options.redisUrl).catch((err: Error) => [`(could not look for leftovers: ${err.message})`]);
if (leftovers.length > 0) console.log(`Removed what killed bench runs left behind: ${leftovers.join(', ')}\n`);

const rows: FigureRow[] = [];
const selected = options.only.length ? figures.filter((f) => options.only.includes(f.id)) : figures;
if (selected.length === 0) {
  console.error(`no figure matches --only=${options.only.join(',')}; known: ${figures.map((f) => f.id).join(', ')}`);
  process.exit(2);
}
for (const figure of selected) {
  const cleanup = new Cleanup();
  current = cleanup;
  const figureStarted = Date.now();
  const log = (message: string) => console.log(`[${elapsed()}] ${figure.id}: ${message}`);
  log('start');
  try {
    const result = await withTimeout(figure.run({ options, cleanup, log }), options.figureTimeoutMs, figure.id);
    rows.push(...result);
    log(`done in ${((Date.now() - figureStarted) / 1000).toFixed(0)} s`);
  } catch (err) {
    const message = (err as Error).message;
    console.error(`[${elapsed()}] ${figure.id}: FAILED: ${message}`);
    rows.push({ figure: figure.title, leadgate: 'error', baseline: '—', ratio: null, target: '—', pass: false, notes: [message.split('\n')[0]!] });
  } finally {
    await cleanup.runAll();
    current = undefined;
  }
}

console.log(`\n${formatTable(rows)}\n`);
const loadAtEnd = os.loadavg();
console.log(`Load generator and servers shared the machine's ${m.cores} cores (${m.cpu}). Total time ${elapsed()}. Load average at the end: ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')}.`);
const file = await writeResults(options, rows, { seconds: (Date.now() - started) / 1000, loadAverage: { start: loadAtStart, end: loadAtEnd } });
console.log(`Results written to ${file}`);
const missed = rows.filter((r) => r.pass === false).length;
if (missed > 0) console.log(`${missed} figure(s) missed their target.`);
process.exit(options.strict && missed > 0 ? 1 : 0);
