import { afterAll, onTestFinished } from 'vitest';

/**
 * Clean-ups registered outside a running test (in beforeAll, or at a file's top level). A
 * hook registered with afterAll from inside beforeAll never runs, which left every such
 * test database (and its pool) behind; this one is registered when the file imports this
 * module, on the file itself, and runs them last-in first-out.
 */
const afterFile: (() => unknown)[] = [];
afterAll(async () => {
  for (const fn of afterFile.splice(0).reverse()) await fn();
});

/** Registers a clean-up where it will run: after the test when called inside one, else after the file. */
export function cleanup(fn: () => unknown): void {
  try {
    onTestFinished(async () => {
      await fn();
    });
  } catch {
    afterFile.push(fn);
  }
}

/** Registers a clean-up for the end of the file whatever calls it, after every test's own (a queue prefix outlives the servers using it). */
export function cleanupAfterFile(fn: () => unknown): void {
  afterFile.push(fn);
}
