/**
 * Everything the bench starts or creates registers how to undo it here, so child processes,
 * databases and queue keys go away whether a figure passes, fails, times out or the run is
 * interrupted.
 */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private closed = false;

  /**
   * Registers an undo step; the returned function runs it now (once) and forgets it. After
   * runAll (a figure that timed out may still be starting things) the step runs at once.
   */
  add(name: string, run: () => Promise<unknown>): () => Promise<void> {
    if (this.closed) {
      const done = bounded(name, run);
      return () => done;
    }
    const step = { name, run };
    this.steps.push(step);
    return async () => {
      const i = this.steps.indexOf(step);
      if (i < 0) return;
      this.steps.splice(i, 1);
      await bounded(step.name, step.run);
    };
  }

  /** Runs every step still registered, newest first, each bounded in time. */
  async runAll(): Promise<void> {
    this.closed = true;
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      await bounded(step.name, step.run);
    }
  }
}

async function bounded(name: string, run: () => Promise<unknown>, ms = 15_000): Promise<void> {
  const started = performance.now();
  try {
    await withTimeout(run(), ms, `cleanup: ${name}`);
  } catch (err) {
    console.error(`cleanup step "${name}" failed: ${(err as Error).message}`);
  }
  const took = performance.now() - started;
  if (took > 2000) console.log(`  (cleanup: ${name} took ${(took / 1000).toFixed(1)} s)`);
}

export class TimeoutError extends Error {}

/** The promise's value, or a TimeoutError after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `probe` returns a value, or throws after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new TimeoutError(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
