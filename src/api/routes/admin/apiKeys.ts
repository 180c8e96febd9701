import Router from '@koa/router';
import { z } from 'zod';
import { extendApiKey, getApiKey, issueApiKey, revealApiKey, revokeApiKeys } from '../../../commands/apiKeys.js';
import { requireRole } from '../../auth/authenticate.js';
import type { AppDeps } from '../../deps.js';
import { validate } from '../../validate.js';
import { metadataOf } from './context.js';

const FutureDatetime = z.iso
  .datetime({ offset: true })
  .transform((v) => new Date(v))
  .refine((d) => d.getTime() > Date.now(), 'must be in the future');
export const IssueBody = z.object({
  expiresAt: FutureDatetime.optional(),
  /** Bounded like KEY_GRACE_HOURS: the old key's deadline must stay a real date. */
  graceHours: z.number().min(0).max(24 * 30).optional(),
});
export const ExtendBody = z.object({ expiresAt: FutureDatetime });

/** An affiliate's API key: issue (replacing the old one after a grace period), view, reveal, extend, revoke. */
export function apiKeyRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.post('/affiliates/:id/api-key', async (ctx) => {
    const body = validate(IssueBody, ctx.request.body);
    const issued = await issueApiKey(deps, ctx.params.id!, body, metadataOf(ctx));
    ctx.status = 201;
    ctx.body = issued;
  });
  router.get('/affiliates/:id/api-key', async (ctx) => {
    ctx.body = await getApiKey(deps, ctx.params.id!);
  });
  router.post('/affiliates/:id/api-key/reveal', requireRole('admin', 'manager'), async (ctx) => {
    const { key } = await revealApiKey(deps, ctx.params.id!, 'reveal', metadataOf(ctx));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { key };
  });
  router.post('/affiliates/:id/api-key/extend', async (ctx) => {
    const { expiresAt } = validate(ExtendBody, ctx.request.body);
    ctx.body = await extendApiKey(deps, ctx.params.id!, expiresAt, metadataOf(ctx));
  });
  router.delete('/affiliates/:id/api-key', async (ctx) => {
    await revokeApiKeys(deps, ctx.params.id!, metadataOf(ctx));
    ctx.status = 204;
  });

  return router;
}
