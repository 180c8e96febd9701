import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { createEmployeeToken, listEmployeeTokens, revokeEmployeeToken } from '../../../commands/employeeTokens.js';
import { principalOf } from '../../auth/authenticate.js';
import type { AppDeps } from '../../deps.js';
import { errors } from '../../errors.js';
import { validate } from '../../validate.js';
import { metadataOf } from './context.js';

export const TokenBody = z.object({ name: z.string().trim().min(1).max(200) });

/** The calling employee: tokens are always one's own. */
function employeeIdOf(ctx: Context): string {
  const principal = principalOf(ctx);
  if (principal.kind !== 'employee') throw errors.forbidden();
  return principal.id;
}

/** The calling employee's API tokens for automation (`Authorization: Bearer lge_…`). */
export function tokenRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/tokens', async (ctx) => {
    ctx.body = { items: await listEmployeeTokens(deps, employeeIdOf(ctx)) };
  });
  router.post('/tokens', async (ctx) => {
    const body = validate(TokenBody, ctx.request.body);
    const created = await createEmployeeToken(deps, employeeIdOf(ctx), body, metadataOf(ctx));
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 201;
    ctx.body = created;
  });
  router.delete('/tokens/:id', async (ctx) => {
    await revokeEmployeeToken(deps, employeeIdOf(ctx), ctx.params.id!, metadataOf(ctx));
    ctx.status = 204;
  });

  return router;
}
