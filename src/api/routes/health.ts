import Router from '@koa/router';
import { projectionLag, type ProjectionLag } from '../../metrics/projectionLag.js';
import { asyncProjections } from '../../projections/registry.js';
import type { AppDeps } from '../deps.js';

async function check(probe: () => Promise<unknown>): Promise<'ok' | string> {
  try {
    await probe();
    return 'ok';
  } catch (err) {
    return `unreachable: ${(err as Error).message}`.slice(0, 200);
  }
}

interface LagCheck {
  status: 'ok' | 'lagging' | 'unknown';
  maxLagEvents: number;
  projections: Pick<ProjectionLag, 'name' | 'lagEvents' | 'lagSeconds' | 'replaying'>[];
}

/**
 * Async projections within READY_MAX_LAG_EVENTS of the log. A projection being rebuilt is
 * left out: a replay rewinds it to the start on purpose, and taking every API process out
 * of rotation for it would stop intake, which does not read these projections.
 */
async function lagCheck(deps: AppDeps): Promise<LagCheck | undefined> {
  const maxLagEvents = deps.config.READY_MAX_LAG_EVENTS;
  if (maxLagEvents === 0) return undefined;
  try {
    const lags = await projectionLag(deps.storage.db, asyncProjections.map((p) => p.name));
    const lagging = lags.some((l) => !l.replaying && l.lagEvents > maxLagEvents);
    return {
      status: lagging ? 'lagging' : 'ok',
      maxLagEvents,
      projections: lags.map(({ name, lagEvents, lagSeconds, replaying }) => ({ name, lagEvents, lagSeconds: Math.round(lagSeconds), replaying })),
    };
  } catch {
    // The database check reports why; the lag is simply not known.
    return { status: 'unknown', maxLagEvents, projections: [] };
  }
}

/**
 * Operations: liveness (the process answers), readiness (its database and queue answer and
 * the projections keep up) and the Prometheus scrape. /metrics needs no login so Prometheus
 * can scrape it: it holds counts, route patterns and ids, no lead data or secrets, but it
 * should be reachable only from the monitoring network, not published (see the README).
 */
export function healthRoutes(deps: AppDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const [database, queue, lag] = await Promise.all([
      check(() => deps.storage.ping()),
      deps.queues ? check(() => deps.queues!.ping()) : Promise.resolve('ok'),
      lagCheck(deps),
    ]);
    const ready = database === 'ok' && queue === 'ok' && lag?.status !== 'lagging';
    ctx.status = ready ? 200 : 503;
    if (!ready) ctx.set('Retry-After', '5');
    ctx.body = {
      status: ready ? 'ready' : 'unavailable',
      shape: deps.shape,
      database,
      queue: deps.queues ? { backend: deps.queues.kind, status: queue } : undefined,
      projections: lag,
    };
  });
  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = deps.metrics.contentType;
    ctx.body = await deps.metrics.scrape();
  });
  return router;
}
