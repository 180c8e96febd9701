import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { leadgateNodeFlags } from '../../scripts/build.mjs';

/** The bin users run: it compiles dist/ when the sources are newer, then runs the build. */
const BIN = fileURLToPath(new URL('../../bin/leadgate.js', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Runs the real CLI as its own process (the way `npm start` and `npx leadgate` do), from any directory. */
export function spawnLeadgate(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Spawned {
  const child = spawn(process.execPath, [...leadgateNodeFlags(), BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
