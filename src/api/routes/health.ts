import Router from '@koa/router';
import type { AppDeps } from '../deps.js';

async function check(probe: () => Promise<unknown>): Promise<'ok' | string> {
  try {
    await probe();
    return 'ok';
  } catch (err) {
    return `unreachable: ${(err as Error).message}`.slice(0, 200);
  }
}

/** Liveness (the process answers) and readiness (its database and queue answer). */
export function healthRoutes(deps: AppDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const [database, queue] = await Promise.all([
      check(() => deps.storage.ping()),
      deps.queues ? check(() => deps.queues!.ping()) : Promise.resolve('ok'),
    ]);
    const ready = database === 'ok' && queue === 'ok';
    ctx.status = ready ? 200 : 503;
    if (!ready) ctx.set('Retry-After', '5');
    ctx.body = {
      status: ready ? 'ready' : 'unavailable',
      shape: deps.shape,
      database,
      queue: deps.queues ? { backend: deps.queues.kind, status: queue } : undefined,
    };
  });
  return router;
}
