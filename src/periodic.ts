/**
 * Runs `task` every `intervalMs` until stopped, never two at once (a tick that finds the last
 * run still going is skipped). A failed run is handed to `onError` and the next tick tries
 * again. `stop` waits for a run in progress. The timer does not keep the process alive.
 */
export function every(intervalMs: number, task: () => Promise<unknown>, onError: (err: Error) => void): { stop: () => Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= task()
      .then(() => undefined, onError)
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
