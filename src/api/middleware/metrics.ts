import type { Context, Middleware, Next } from 'koa';
import type { IntakeOutcome, Metrics } from '../../metrics/metrics.js';
import { AppError } from '../errors.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The route pattern @koa/router matched (`/api/admin/affiliates/:id`), never the raw URL: labels must stay few. */
export function routeLabel(ctx: Context): string {
  const route = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
  if (route === undefined) return 'unmatched';
  return typeof route === 'string' ? route : `regexp:${route.source}`;
}

/**
 * Observes every request's latency by method, matched route and final status. Registered
 * outside errorHandler, so a thrown error is seen with the status it was rendered with.
 */
export function httpMetrics(metrics: Metrics): Middleware {
  return async (ctx: Context, next: Next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.observeRequest(METHODS.has(ctx.method) ? ctx.method : 'OTHER', routeLabel(ctx), ctx.status, (performance.now() - started) / 1000);
    }
  };
}

function outcomeOf(body: unknown): IntakeOutcome {
  const status = (body as { status?: unknown } | undefined)?.status;
  return status === 'delivered' || status === 'rejected' || status === 'failed' ? status : 'pending';
}

/**
 * Counts an intake handler's answers by outcome, and its refusals by code: the contract's
 * errors (authentication ones too, which the reports never see) are refusals; anything
 * else is an `error`. The error goes on to errorHandler unchanged.
 */
export function countIntake(metrics: Metrics, handler: (ctx: Context) => Promise<void>): (ctx: Context) => Promise<void> {
  return async (ctx) => {
    try {
      await handler(ctx);
      metrics.intakeAnswered(outcomeOf(ctx.body));
    } catch (err) {
      if (err instanceof AppError && err.status < 500) {
        metrics.intakeAnswered(err.code === 'duplicate' ? 'duplicate' : 'refused');
        metrics.intakeRefused(err.code);
      } else {
        metrics.intakeAnswered('error');
      }
      throw err;
    }
  };
}
