import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Cleanup } from './cleanup.js';
import { startCrm } from './crm.js';
import { createDatabase, queuePrefix, secretKey } from './infra.js';
import { LeadBodies } from './leadBodies.js';
import { setupAffiliate, startLeadgate, affiliateIntakeLoad } from './leadgate.js';
import { intakeSpec, load } from './load.js';
import { parseOptions } from './options.js';
import { ROOT, cleanUpOnExit } from './processes.js';
import { DELIVERY_QUEUE } from '../src/workers/delivery/deliveryQueue.js';
import { pausableQueue } from './pausableQueue.js';

/**
 * CPU profile of leadgate under the bench's load, summarised by self time.
 *
 * The summary covers only the samples taken while the measured load ran (after 2 s of warm-up).
 *
 *   npx tsx bench/profile.ts accept [seconds]   # `leadgate api`, sync window 0
 *   npx tsx bench/profile.ts sync [seconds]     # `leadgate start`, full sync path
 *   npx tsx bench/profile.ts embedded [seconds] # `leadgate api` on PGlite, sync window 0
 *   npx tsx bench/profile.ts delivery [leads]   # `leadgate worker` draining leads queued meanwhile (default 10,000)
 *   … accept|sync|embedded [seconds] --connections=1  # at another concurrency than the bench's 50 (one lead at a time: the added-latency path)
 *   npx tsx bench/profile.ts <file.cpuprofile>  # summarise an existing profile
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The monotonic clock V8 stamps profiles with, in µs (CLOCK_MONOTONIC, as process.hrtime). */
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Self time per function and per file or package, in ms, highest first; only the samples
 * taken inside `window` (µs) when given, so start-up and shutdown are left out.
 */
export function summarise(profile: CpuProfile, window?: [number, number], top = 30): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window[0] || at > window[1])) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  const owners = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const owner = ownerOf(id, byId, parentOf);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
    const frame = byId.get(id)!.callFrame;
    const file = shortUrl(frame.url);
    const fn = `${frame.functionName || '(anonymous)'}  ${file}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    const place = placeOf(frame);
    places.set(place, (places.get(place) ?? 0) + us);
  }
  const table = (title: string, m: Map<string, number>, n: number) =>
    [
      title,
      ...[...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`),
    ].join('\n');
  return [
    `profile: ${(total / 1e6).toFixed(1)} s of samples${window ? ' while the load ran' : ''}`,
    table('top self time by function:', functions, top),
    '',
    table('self time by package or leadgate file:', places, top),
    '',
    table('self time by the first package or leadgate file on the stack (node core and native time charged to its caller):', owners, top),
  ].join('\n');
}

/** The nearest frame on the stack that belongs to a package or a leadgate file; else the frame's own place. */
function ownerOf(id: number, byId: Map<number, ProfileNode>, parentOf: Map<number, number>): string {
  const own = placeOf(byId.get(id)!.callFrame);
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const frame = byId.get(at)!.callFrame;
    if (frame.url && !frame.url.startsWith('node:')) return placeOf(frame);
  }
  return own;
}

function shortUrl(url: string): string {
  if (!url) return '';
  const p = url.replace(/^file:\/\//, '');
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) return p.slice(nm + 'node_modules/'.length);
  return p.startsWith(ROOT) ? p.slice(ROOT.length) : p;
}

/** A package name, a leadgate source file, node's own internals, or what V8 reports (GC, idle, program). */
function placeOf(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  if (!url) return frame.functionName || '(native)';
  if (frame.url.includes('node_modules/')) {
    const parts = url.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) return 'node: (core)';
  return url;
}

type Mode = 'accept' | 'sync' | 'embedded' | 'delivery';
const MODES: readonly string[] = ['accept', 'sync', 'embedded', 'delivery'];


/**
 * `leadgate worker` profiled while it drains `leads` leads that `leadgate api` accepted into
 * its delivery queue, paused from outside meanwhile; the window is resume to drained.
 */
async function recordDelivery(leads: number, dir: string, cleanup: Cleanup): Promise<{ pid: number; window: [number, number] }> {
  const options = parseOptions([]);
  const crm = await startCrm(cleanup);
  const db = await createDatabase(options.postgresUrl, 'profile_delivery', cleanup);
  const prefix = queuePrefix(options.redisUrl, 'profile', cleanup);
  const queue = pausableQueue(options.redisUrl, DELIVERY_QUEUE, prefix, cleanup);
  await queue.pause();
  // The sweeper must not re-enqueue the paused backlog.
  const shared = { databaseUrl: db.url, redisUrl: options.redisUrl, queuePrefix: prefix, secretKey: secretKey(), syncWindowMs: 0, env: { SWEEP_AFTER_MS: '3600000' } };
  const api = await startLeadgate({ ...shared, label: 'profile-delivery-api', role: 'api' }, cleanup);
  const worker = await startLeadgate({ ...shared, label: 'profile-delivery-worker', role: 'worker', nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] }, cleanup);
  const affiliate = await setupAffiliate(api.url, crm.leadsUrl);
  await load(intakeSpec(api.url, new LeadBodies(affiliate.campaignId), affiliate.apiKey, { connections: options.connections, amount: leads, expectStatus: 202 }));
  const started = nowUs();
  await queue.resume();
  while ((await queue.remaining()) > 0) await new Promise((r) => setTimeout(r, 20));
  const window: [number, number] = [started, nowUs()];
  console.log(`delivery: ${leads} leads drained in ${((window[1] - window[0]) / 1e6).toFixed(2)} s, ${Math.round(leads / ((window[1] - window[0]) / 1e6))} leads/s`);
  await worker.stop();
  await api.stop();
  return { pid: worker.pid, window };
}

async function record(mode: Mode, amount: number, connections?: number): Promise<{ file: string; window: [number, number] }> {
  const defaults = parseOptions([]);
  const options = { ...defaults, connections: connections ?? defaults.connections };
  const cleanup = new Cleanup();
  cleanUpOnExit(() => cleanup);
  const dir = path.join(ROOT, 'test-output/profiles');
  await mkdir(dir, { recursive: true });
  let recorded: { pid: number; window: [number, number] };
  try {
    recorded = mode === 'delivery' ? await recordDelivery(amount, dir, cleanup) : await recordIntake(mode, amount, dir, cleanup, options);
  } finally {
    await cleanup.runAll();
  }
  const { pid, window } = recorded;
  // Node names profiles CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile.
  const created = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(pid)).map((f) => path.join(dir, f));
  if (created.length === 0) throw new Error('leadgate wrote no profile');
  // One profile per thread (tsx's loader runs in a worker thread): the main thread's is the largest.
  const sizes = await Promise.all(created.map(async (f) => ({ f, size: (await stat(f)).size })));
  return { file: sizes.sort((a, b) => b.size - a.size)[0]!.f, window };
}

/** leadgate's intake under autocannon for `seconds`, profiled; the window is the measured load. */
async function recordIntake(mode: Exclude<Mode, 'delivery'>, seconds: number, dir: string, cleanup: Cleanup, options: ReturnType<typeof parseOptions>): Promise<{ pid: number; window: [number, number] }> {
  const crm = await startCrm(cleanup);
  const storage =
    mode === 'embedded'
      ? { dataDir: await mkdtemp(path.join(os.tmpdir(), 'leadgate-profile-')) }
      : { databaseUrl: (await createDatabase(options.postgresUrl, `profile_${mode}`, cleanup)).url, redisUrl: options.redisUrl, queuePrefix: queuePrefix(options.redisUrl, 'profile', cleanup) };
  if (storage.dataDir) cleanup.add('remove profile data', () => rm(storage.dataDir, { recursive: true, force: true }));
  const leadgate = await startLeadgate(
    {
      label: `profile-${mode}`,
      role: mode === 'sync' ? 'start' : 'api',
      ...storage,
      ...(mode === 'sync' ? {} : { syncWindowMs: 0 }),
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    },
    cleanup,
  );
  const spec = await affiliateIntakeLoad(leadgate, crm.leadsUrl, { sync: mode === 'sync', connections: options.connections, durationS: seconds });
  await load({ ...spec, durationS: 2 });
  const started = nowUs();
  const result = await load(spec);
  const window: [number, number] = [started, nowUs()];
  console.log(`${mode}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, answers ${JSON.stringify(result.statuses)}`);
  // SIGTERM: leadgate shuts down and exits, and Node writes the profile on exit.
  await leadgate.stop();
  return { pid: leadgate.pid, window };
}

const args = process.argv.slice(2);
const connectionsArg = args.find((a) => a.startsWith('--connections='));
const [what = 'accept', secondsArg] = args.filter((a) => a !== connectionsArg);
const connections = connectionsArg === undefined ? undefined : Number(connectionsArg.slice('--connections='.length));
if (connections !== undefined && !(Number.isInteger(connections) && connections >= 1)) {
  console.error('--connections must be a positive integer');
  process.exit(2);
}
const recorded = MODES.includes(what) ? await record(what as Mode, Number(secondsArg ?? (what === 'delivery' ? 10_000 : 15)), connections) : { file: what, window: undefined };
console.log(`${recorded.file}\n`);
console.log(summarise(JSON.parse(await readFile(recorded.file, 'utf8')) as CpuProfile, recorded.window));
