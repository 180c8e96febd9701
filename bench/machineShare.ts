import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { startBaseline } from './baselines/start.js';
import { Cleanup } from './cleanup.js';
import { startCrm } from './crm.js';
import { createDatabase, queuePrefix } from './infra.js';
import { LeadBodies } from './leadBodies.js';
import { affiliateIntakeLoad, startLeadgate } from './leadgate.js';
import { intakeSpec, load } from './load.js';
import { argumentsOrExit, parseOptions } from './options.js';
import { cleanUpOnExit, commandOfStat, cpuMsOf, cpuMsOfStat, machineBusyMs } from './processes.js';

/**
 * Where a sync answer's CPU goes on the whole machine, and how many writes it takes: the full
 * path (`leadgate start`) or, with --baseline, the bare request-reply, under the bench's load
 * on a fresh database. Over a window in the middle of the load it reads every process's CPU
 * from /proc (the server, PostgreSQL's backends, Redis, the CRM stand-in, this process with
 * its load generator) and the data segments each of the server's sockets sent and received
 * (`ss -tnie`: on loopback with Nagle off, about one a write), by peer. Profiles charge a
 * write with the time of the process it wakes; these counts do not.
 *
 *   npx tsx bench/machineShare.ts [--baseline] [--seconds=4] [--connections=50] [--env=KEY=VALUE]… [--node-arg=FLAG]…
 *
 * `--env` and `--node-arg` go to leadgate (a temporary switch in the code, a V8 flag), for
 * A/B runs: alternate them by hand, as this VM's speed drifts by tens of per cent.
 */
interface Args {
  baseline: boolean;
  seconds: number;
  connections?: number;
  env: Record<string, string>;
  nodeArgs: string[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { baseline: false, seconds: 4, env: {}, nodeArgs: [] };
  for (const arg of argv) {
    const [name, value = ''] = arg.split(/=(.*)/s);
    if (name === '--baseline') args.baseline = true;
    else if (name === '--seconds') args.seconds = Number(value);
    else if (name === '--connections') args.connections = Number(value);
    else if (name === '--env' && value.includes('=')) {
      const [key, v] = value.split(/=(.*)/s);
      args.env[key!] = v ?? '';
    } else if (name === '--node-arg' && value) args.nodeArgs.push(value);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!(args.seconds >= 1)) throw new Error('--seconds must be at least 1');
  return args;
}

/** The socket inodes a process holds. */
function socketsOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // Closed since the listing: nothing to count.
    }
  }
  return inodes;
}

type Segments = Map<string, { peer: string; out: number; in: number }>;

/** Data segments sent and received so far on each of the process's TCP sockets, named by what is at the other end. */
function segmentsOf(pid: number, peerOf: (localPort: string, peerPort: string) => string): Segments {
  const inodes = socketsOf(pid);
  const lines = execFileSync('ss', ['-tnie']).toString().split('\n');
  const segments: Segments = new Map();
  lines.forEach((line, i) => {
    const inode = /ino:(\d+)/.exec(line)?.[1];
    if (!inode || !inodes.has(inode)) return;
    const [, , , local = '', peer = ''] = line.trim().split(/\s+/);
    const details = lines[i + 1] ?? '';
    segments.set(inode, {
      peer: peerOf(local.split(':').pop()!, peer.split(':').pop()!),
      out: Number(/data_segs_out:(\d+)/.exec(details)?.[1] ?? 0),
      in: Number(/data_segs_in:(\d+)/.exec(details)?.[1] ?? 0),
    });
  });
  return segments;
}

/** CPU so far of every process whose command starts with one of `commands`, in ms. */
function cpuOfCommands(commands: string[]): Map<string, number> {
  const totals = new Map<string, number>(commands.map((c) => [c, 0]));
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const command = commandOfStat(stat);
    const owner = commands.find((c) => command.startsWith(c));
    if (owner) totals.set(owner, totals.get(owner)! + cpuMsOfStat(stat));
  }
  return totals;
}

function cpuOfThisProcessMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const args = argumentsOrExit(parseArgs);
const options = parseOptions([]);
const connections = args.connections ?? options.connections;
const cleanup = new Cleanup();
cleanUpOnExit(() => cleanup);
try {
  const crm = await startCrm(cleanup);
  const db = await createDatabase(options.postgresUrl, 'share', cleanup);
  const durationS = args.seconds + 4;
  let server: { url: string; pid: number };
  let spec;
  if (args.baseline) {
    const baseline = await startBaseline('requestReply', { DATABASE_URL: db.url, REDIS_URL: options.redisUrl, QUEUE_PREFIX: queuePrefix(options.redisUrl, 'share-baseline', cleanup), CRM_URL: crm.leadsUrl }, cleanup);
    server = { url: baseline.url, pid: baseline.child.pid };
    spec = intakeSpec(baseline.url, new LeadBodies('c_baseline'), 'lg_baseline', { connections, durationS, expectStatus: 200 });
  } else {
    const leadgate = await startLeadgate({ label: 'share', databaseUrl: db.url, redisUrl: options.redisUrl, queuePrefix: queuePrefix(options.redisUrl, 'share', cleanup), env: args.env, nodeArgs: args.nodeArgs }, cleanup);
    server = leadgate;
    spec = await affiliateIntakeLoad(leadgate, crm.leadsUrl, { sync: true, connections, durationS });
  }
  const ports = { postgres: new URL(options.postgresUrl).port || '5432', redis: new URL(options.redisUrl).port || '6379', crm: new URL(crm.url).port, server: new URL(server.url).port };
  const peerOf = (local: string, peer: string) =>
    peer === ports.postgres ? 'PostgreSQL' : peer === ports.redis ? 'Redis' : peer === ports.crm ? 'CRM' : local === ports.server ? 'clients (the answers)' : `port ${peer}`;

  await load({ ...spec, durationS: 2 });
  const loading = load(spec);
  await new Promise((r) => setTimeout(r, 2000));
  const reading = () => ({
    segments: segmentsOf(server.pid, peerOf),
    server: cpuMsOf(server.pid) ?? NaN,
    crm: cpuMsOf(crm.pid) ?? NaN,
    bench: cpuOfThisProcessMs(),
    commands: cpuOfCommands(['postgres', 'redis-server']),
    machine: machineBusyMs() ?? NaN,
  });
  const before = reading();
  await new Promise((r) => setTimeout(r, args.seconds * 1000));
  const after = reading();
  const result = await loading;

  const byPeer = new Map<string, { out: number; in: number }>();
  for (const [inode, now] of after.segments) {
    const then = before.segments.get(inode) ?? { out: 0, in: 0 };
    const sum = byPeer.get(now.peer) ?? { out: 0, in: 0 };
    byPeer.set(now.peer, { out: sum.out + now.out - then.out, in: sum.in + now.in - then.in });
  }
  // One answer is one segment to a client: the window's answers, counted where they leave.
  const answers = byPeer.get('clients (the answers)')?.out ?? 0;
  const perAnswer = (ms: number) => `${((ms * 1000) / answers).toFixed(0).padStart(6)} µs`;
  const shares: [string, number][] = [
    ['server process', after.server - before.server],
    ['PostgreSQL', after.commands.get('postgres')! - before.commands.get('postgres')!],
    ['Redis', after.commands.get('redis-server')! - before.commands.get('redis-server')!],
    ['CRM stand-in', after.crm - before.crm],
    ['bench and load generator', after.bench - before.bench],
  ];
  const machine = after.machine - before.machine;
  console.log(`${args.baseline ? 'bare request-reply' : 'leadgate start'}: ${Math.round(result.rps)} answers/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms; window of ${args.seconds} s, ${answers} answers`);
  console.log('\nCPU an answer:');
  console.log(`  ${'the whole machine'.padEnd(26)} ${perAnswer(machine)}`);
  for (const [name, ms] of shares) console.log(`  ${name.padEnd(26)} ${perAnswer(ms)}`);
  console.log(`  ${'the rest (kernel, others)'.padEnd(26)} ${perAnswer(machine - shares.reduce((a, [, ms]) => a + ms, 0))}`);
  console.log('\nthe server\'s data segments an answer (out / in):');
  for (const [peer, n] of [...byPeer].sort((a, b) => b[1].out - a[1].out)) console.log(`  ${peer.padEnd(26)} ${(n.out / answers).toFixed(2)} / ${(n.in / answers).toFixed(2)}`);
} finally {
  await cleanup.runAll();
}
