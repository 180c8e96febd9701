import Router from '@koa/router';
import { z } from 'zod';
import { createAffiliate, getAffiliate, listAffiliates, updateAffiliate } from '../../../commands/affiliates.js';
import type { AppDeps } from '../../deps.js';
import { validate } from '../../validate.js';
import { metadataOf } from './context.js';

export const AffiliateBody = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  kind: z.enum(['affiliate', 'ib']).default('affiliate'),
});
export const AffiliatePatch = z
  .object({ name: AffiliateBody.shape.name, email: AffiliateBody.shape.email, kind: z.enum(['affiliate', 'ib']) })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export const ListQuery = z.object({ search: z.string().trim().max(200).optional() });

/** Affiliate Management: affiliates and IBs. Their campaigns, users, keys and the rest have files of their own. */
export function affiliateRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/affiliates', async (ctx) => {
    const { search } = validate(ListQuery, ctx.query);
    ctx.body = { items: await listAffiliates(deps, search || undefined) };
  });
  router.post('/affiliates', async (ctx) => {
    const body = validate(AffiliateBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = await createAffiliate(deps, body, metadataOf(ctx));
  });
  router.get('/affiliates/:id', async (ctx) => {
    ctx.body = await getAffiliate(deps, ctx.params.id!);
  });
  router.patch('/affiliates/:id', async (ctx) => {
    const patch = validate(AffiliatePatch, ctx.request.body);
    ctx.body = await updateAffiliate(deps, ctx.params.id!, patch, metadataOf(ctx));
  });

  return router;
}
