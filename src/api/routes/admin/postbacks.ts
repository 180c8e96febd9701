import Router from '@koa/router';
import { z } from 'zod';
import { configurePostback, listPostbacks, removePostback } from '../../../commands/postbackConfigs.js';
import { revealPostbackSecret, rotatePostbackSecret } from '../../../commands/postbackSecret.js';
import { requireRole } from '../../auth/authenticate.js';
import type { AppDeps } from '../../deps.js';
import { validate } from '../../validate.js';
import { metadataOf } from './context.js';

export const PostbackBody = z.object({
  event: z.enum(['lead', 'signup', 'ftd', 'deposit']),
  // Checked as a target by the command, after its macros are set aside.
  url: z.string().trim().min(1).max(2000),
  method: z.enum(['GET', 'POST']).default('GET'),
  productId: z.string().trim().min(1).max(100).nullish(),
});

/** An affiliate's postbacks: where each lead event is reported, and the secret that signs them. */
export function postbackRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/affiliates/:id/postbacks', async (ctx) => {
    ctx.body = { items: await listPostbacks(deps, ctx.params.id!) };
  });
  router.post('/affiliates/:id/postbacks', async (ctx) => {
    const body = validate(PostbackBody, ctx.request.body);
    const created = await configurePostback(deps, ctx.params.id!, body, metadataOf(ctx));
    ctx.status = 201;
    ctx.body = created;
  });
  router.delete('/affiliates/:id/postbacks/:postbackId', async (ctx) => {
    await removePostback(deps, ctx.params.id!, ctx.params.postbackId!, metadataOf(ctx));
    ctx.status = 204;
  });

  router.get('/affiliates/:id/postback-secret', requireRole('admin', 'manager'), async (ctx) => {
    const revealed = await revealPostbackSecret(deps, ctx.params.id!, metadataOf(ctx));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = revealed;
  });
  router.post('/affiliates/:id/postback-secret/rotate', requireRole('admin', 'manager'), async (ctx) => {
    const rotated = await rotatePostbackSecret(deps, ctx.params.id!, metadataOf(ctx));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = rotated;
  });

  return router;
}
