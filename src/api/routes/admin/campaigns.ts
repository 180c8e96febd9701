import Router from '@koa/router';
import { z } from 'zod';
import { createCampaign, listCampaigns } from '../../../commands/campaigns.js';
import type { AppDeps } from '../../deps.js';
import { validate } from '../../validate.js';
import { metadataOf } from './context.js';

export const CampaignBody = z.object({
  name: z.string().trim().min(1).max(200),
  productId: z.string().trim().min(1).max(100),
});

/** An affiliate's campaigns, one product each. */
export function campaignRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/affiliates/:id/campaigns', async (ctx) => {
    ctx.body = { items: await listCampaigns(deps, ctx.params.id!) };
  });
  router.post('/affiliates/:id/campaigns', async (ctx) => {
    const body = validate(CampaignBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = await createCampaign(deps, ctx.params.id!, body, metadataOf(ctx));
  });

  return router;
}
