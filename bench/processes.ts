import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor, type Cleanup } from './cleanup.js';

const TSX = import.meta.resolve('tsx');
const ORPHAN_GUARD = new URL('./orphanGuard.mjs', import.meta.url).href;
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

const live = new Set<ChildProcess>();

/** Last resort when the bench itself dies: SIGKILL every child still running (synchronous, for process 'exit'). */
export function killAllChildren(): void {
  for (const child of live) child.kill('SIGKILL');
}

/**
 * Ctrl-C or SIGTERM runs the current cleanup (databases, keys, processes) before exiting; a
 * second signal exits at once. Whatever way the process ends, children still running are killed.
 */
export function cleanUpOnExit(current: () => { runAll(): Promise<void> } | undefined): void {
  process.on('exit', killAllChildren);
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      console.error(`\n${signal}: cleaning up (again to exit at once)`);
      void (current()?.runAll() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
}

export interface Child {
  pid: number;
  child: ChildProcess;
  /** The last few kilobytes of its stdout and stderr, for error messages. */
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env: Record<string, string | undefined>;
  nodeArgs?: string[];
  cwd?: string;
  /** The file is JavaScript (leadgate's bin runs the compiled build): no TypeScript loader. */
  javascript?: boolean;
}

/**
 * Runs an entry point as its own Node process (`node --import tsx file args` for TypeScript),
 * so a server under test has an event loop of its own, as in production. Stopped at cleanup.
 */
export function spawnTs(label: string, file: string, args: string[], options: SpawnOptions, cleanup: Cleanup): Child {
  const loader = options.javascript ? [] : ['--import', TSX];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, '--import', ORPHAN_GUARD, file, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', NODE_ENV: 'production', ...options.env },
    // stdin stays open as the orphan guard's lifeline (see orphanGuard.ts).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error(`${label}: could not start ${file}`);
  live.add(child);
  void exited.then(() => live.delete(child));
  const stop = cleanup.add(`stop ${label} (pid ${child.pid})`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
    await exited;
    clearTimeout(timer);
  });
  return { pid: child.pid, child, output: () => out, exited, stop };
}

/** Resolves once `url` answers 200; fails as soon as the child exits first, with its output. */
export async function waitHttpReady(child: Child, url: string, timeoutMs = 60_000): Promise<void> {
  let exitCode: number | null | undefined;
  let last = '';
  void child.exited.then((c) => (exitCode = c));
  const exited = child.exited.then((code) => {
    throw new Error(`exited with ${code} before it was ready`);
  });
  const answered = waitFor(
    async () => {
      // Exited: end the poll (the race below has already failed on `exited`).
      if (exitCode !== undefined) return false;
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      last = `${res.status} ${(await res.text()).slice(0, 500)}`;
      return res.ok ? true : undefined;
    },
    timeoutMs,
    `${url} to answer`,
    100,
  );
  await Promise.race([answered, exited]).catch((err: Error) => {
    throw new Error(`${err.message}${last ? ` (last answer: ${last})` : ''}\n--- output ---\n${child.output()}`);
  });
  // Neither loser may surface later as an unhandled rejection.
  answered.catch(() => undefined);
  exited.catch(() => undefined);
}

/**
 * Starts a server on a port freePort() found, with another port when the first was taken
 * in between (freePort releases its port before the server binds it; any process starting
 * meanwhile, or an outgoing connection, may get it first: EADDRINUSE).
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (attempt >= attempts || !(err as Error).message.includes('EADDRINUSE')) throw err;
    }
  }
}

/** Peak and current resident memory of a Linux process, in MB, from /proc/<pid>/status. */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

/**
 * CPU time a process has used so far (user + system), in ms; undefined where /proc is not
 * there. /proc counts in USER_HZ ticks, 100 a second on Linux.
 */
export function cpuMsOf(pid: number): number | undefined {
  try {
    return cpuMsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The CPU (user + system, ms) a `/proc/<pid>/stat` line records. */
export function cpuMsOfStat(stat: string): number {
  // The fields after the command name, which may hold spaces and parentheses, end with its last ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The command name a `/proc/<pid>/stat` line records. */
export function commandOfStat(stat: string): string {
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
}

/**
 * CPU the whole machine has been busy so far (every core: user, nice, system, irq, softirq,
 * steal), in ms; undefined where /proc is not there. Counts everything a figure's side runs
 * on (database, Redis, CRM, the bench itself), which no one process's time shows.
 */
export function machineBusyMs(): number | undefined {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return [user, nice, system, irq, softirq, steal].reduce((a: number, b) => a + (b ?? 0), 0) * 10;
  } catch {
    return undefined;
  }
}

/** CPU a process spent per item between two cpuMsOf readings, µs; NaN when either is missing or there were no items. */
export function cpuPerItemUs(beforeMs: number | undefined, afterMs: number | undefined, items: number): number {
  return beforeMs === undefined || afterMs === undefined || items === 0 ? NaN : ((afterMs - beforeMs) * 1000) / items;
}

/** A free TCP port on loopback (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
