import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { AppDeps } from '../deps.js';

const SLOW_MS = 15_000;

/**
 * The built-in sandbox CRM the demo integration points at, so a newcomer can send a lead end
 * to end with nothing else running. It answers by the lead's email:
 *   `+reject` → a rejection, `+duplicate` → "already registered", `+slow` → answers after
 *   15 s (past the default sync window), `+error` → HTTP 500; anything else → success with an
 *   auto-login URL.
 */
export function sandboxRoutes(deps: AppDeps): Router {
  const router = new Router({ prefix: '/sandbox' });

  router.post('/crm', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const email = typeof body.email === 'string' ? body.email.toLowerCase() : '';
    if (!email) {
      ctx.status = 400;
      ctx.body = { status: 'error', message: 'email is required' };
      return;
    }
    if (email.includes('+error')) {
      ctx.status = 500;
      ctx.body = { status: 'error', message: 'Sandbox CRM internal error' };
      return;
    }
    if (email.includes('+reject')) {
      ctx.body = { status: 'error', message: 'Lead rejected by the sandbox CRM' };
      return;
    }
    if (email.includes('+duplicate')) {
      ctx.body = { status: 'error', message: 'Email already registered' };
      return;
    }
    if (email.includes('+slow')) await new Promise((r) => setTimeout(r, SLOW_MS));
    const customerId = `sbx-${randomBytes(6).toString('hex')}`;
    ctx.body = { status: 'ok', data: { customer_id: customerId, login_url: `${deps.config.PUBLIC_URL}/sandbox/login/${customerId}` } };
  });

  router.get('/login/:customerId', (ctx) => {
    ctx.type = 'text/html';
    ctx.body = `<!doctype html><meta charset="utf-8"><title>Sandbox login</title><p>Sandbox CRM: customer <b>${ctx.params.customerId!.replace(/[^\w-]/g, '')}</b> would be logged in here.</p>`;
  });

  return router;
}
