import path from 'node:path';
import type { Cleanup } from '../cleanup.js';
import { ROOT, onFreePort, spawnTs, waitHttpReady, type Child } from '../processes.js';

export type BaselineKind = 'acceptPg' | 'acceptPglite' | 'requestReply' | 'drainWorker';

export interface Baseline {
  url: string;
  child: Child;
  stop(): Promise<void>;
}

/** A baseline server (or worker) as its own process, like leadgate; servers are ready when this returns. */
export async function startBaseline(kind: BaselineKind, env: Record<string, string>, cleanup: Cleanup): Promise<Baseline> {
  return onFreePort(async (port) => {
    const child = spawnTs(`baseline ${kind}`, path.join(ROOT, 'bench/baselines', `${kind}.ts`), [], { env: { PORT: String(port), ...env } }, cleanup);
    const url = `http://127.0.0.1:${port}`;
    if (kind !== 'drainWorker') await waitHttpReady(child, `${url}/readyz`);
    return { url, child, stop: child.stop };
  });
}
