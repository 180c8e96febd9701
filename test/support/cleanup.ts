import { afterAll, onTestFinished } from 'vitest';

/**
 * Registers a clean-up where it will run: after the test when called inside one (a hook
 * registered with afterAll from a running test is not reliably run), else after the file.
 */
export function cleanup(fn: () => unknown): void {
  try {
    onTestFinished(async () => {
      await fn();
    });
  } catch {
    afterAll(async () => {
      await fn();
    });
  }
}
