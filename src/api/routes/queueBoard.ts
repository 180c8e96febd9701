import Router from '@koa/router';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Queue } from 'bullmq';
import type { Context, Next } from 'koa';
import { QUEUE_NAMES } from '../../metrics/queueDepths.js';
import { authenticate } from '../auth/authenticate.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

/** A browser navigating to the board (not the board's own XHR calls, not a script). */
function wantsPage(ctx: Context): boolean {
  return ctx.method === 'GET' && (ctx.get('accept') ?? '').includes('text/html');
}

/**
 * Bull Board for admins at /admin/queues, on whichever backend the queues use (Redis or
 * BullMQ's PostgreSQL backend). Behind the console session or an admin's employee token; a
 * browser that is not logged in is sent to the console's login at `/`, anyone else gets the
 * contract's 401/403.
 *
 * The board is read-only: its UI cannot send the console's X-CSRF-Token, so its actions
 * would be refused anyway, and a lead's delivery is decided by its stream, not by a job a
 * person retries or removes (the sweeper re-enqueues any lead without an outcome).
 */
export function queueBoardRoutes(deps: AppDeps): Router {
  const router = new Router();
  const queues = deps.queues;
  if (!queues) return router;

  const adapter = new KoaAdapter().setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    // JobQueues hands out BullMQ Queues behind a narrower interface; the board needs the Queue itself.
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(queues.queue(name) as unknown as Queue, { readOnlyMode: true })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'leadgate queues' } },
  });
  const board = adapter.registerPlugin();
  const admin = authenticate(deps.storage.db, ['admin']);

  router.all(`${QUEUE_BOARD_PATH}{/*rest}`, async (ctx: Context, next: Next) => {
    try {
      await admin(ctx, async () => undefined);
    } catch (err) {
      if (err instanceof AppError && err.status === 401 && wantsPage(ctx)) {
        ctx.redirect('/');
        return;
      }
      throw err;
    }
    ctx.set({ 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin', 'Cache-Control': 'no-store' });
    // The board's own router overwrites the matched route; the metrics label stays ours.
    const matched = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
    await board(ctx, next);
    Object.assign(ctx, { _matchedRoute: matched });
  });
  return router;
}
