import Router from '@koa/router';
import { z } from 'zod';
import { affiliateRequest, campaignAccess, postmanCollection, sampleLead } from '../../../commands/affiliateRequest.js';
import { getAffiliate } from '../../../commands/affiliates.js';
import { getIntegration } from '../../../commands/integrations.js';
import { getApiKey } from '../../../commands/apiKeys.js';
import { leadStream, type HttpExchange } from '../../../events/types/lead.js';
import type { AppDeps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { processLead } from '../../intake/processLead.js';
import { validate } from '../../validate.js';
import { metadataOf } from './context.js';

export const TestBody = z.object({
  affiliateId: z.string().min(1),
  campaignId: z.string().min(1).optional(),
  lead: z.record(z.string(), z.unknown()).optional(),
});
export const JsonQuery = z.object({ affiliateId: z.string().min(1), campaignId: z.string().min(1).optional() });

/**
 * The console's "Click here to test the API": runs a test lead through exactly the path an
 * affiliate's request takes, and shows the four sides — what the affiliate sends, what went
 * to the CRM, what came back, what the affiliate gets. Plus "View as JSON" and Postman.
 */
export function integrationTestRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.post('/products/:id/integrations/:integrationId/test', async (ctx) => {
    const input = validate(TestBody, ctx.request.body);
    const integration = await getIntegration(deps, ctx.params.id!, ctx.params.integrationId!);
    await getAffiliate(deps, input.affiliateId);
    const { campaign, apiIntegration } = await campaignAccess(deps, input.affiliateId, input.campaignId, integration.id);
    if (campaign.productId !== integration.productId) throw new AppError(400, 'validation.campaignId', 'campaignId: the campaign is on another product');
    const key = await getApiKey(deps, input.affiliateId).catch(() => undefined);
    const body = { ...sampleLead(apiIntegration.allowed_countries), ...input.lead, campaignId: campaign.id, test: true };
    const request = {
      method: 'POST',
      url: `${deps.config.PUBLIC_URL}/api/v1/leads`,
      headers: { 'Content-Type': 'application/json', Authorization: key ? `Bearer ${key.prefix}…` : '(no API key yet)' },
      body,
    };
    let response: { status: number; body: Record<string, unknown> };
    try {
      response = await processLead(deps, { affiliateId: input.affiliateId, body, meta: metadataOf(ctx), integrationId: integration.id });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      response = { status: err.status, body: { success: false, ...err.extra, error: err.message, code: err.code } };
    }
    const leadId = typeof response.body.leadId === 'string' && response.status !== 409 ? response.body.leadId : undefined;
    let exchange: HttpExchange | undefined;
    if (leadId) {
      for (const e of await deps.store.readStream(leadStream(leadId))) {
        if ('http' in e.data && e.data.http) exchange = e.data.http;
      }
    }
    ctx.body = {
      request,
      crmRequest: exchange?.request ?? null,
      crmResponse: exchange ? { ...(exchange.response ?? { status: null, body: '' }), durationMs: exchange.durationMs } : null,
      response,
      leadId: leadId ?? null,
    };
  });

  router.get('/products/:id/integrations/:integrationId/test/json', async (ctx) => {
    const query = validate(JsonQuery, ctx.query);
    const integration = await getIntegration(deps, ctx.params.id!, ctx.params.integrationId!);
    await getAffiliate(deps, query.affiliateId);
    const request = await affiliateRequest(deps, query.affiliateId, { campaignId: query.campaignId, integrationId: integration.id, purpose: 'test_json' }, metadataOf(ctx));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { method: request.method, url: request.url, headers: request.headers, body: request.body };
  });

  router.get('/affiliates/:id/postman-collection', async (ctx) => {
    const affiliate = await getAffiliate(deps, ctx.params.id!);
    const request = await affiliateRequest(deps, affiliate.id, { purpose: 'postman' }, metadataOf(ctx));
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', `attachment; filename="leadgate-${affiliate.id}.postman_collection.json"`);
    ctx.body = postmanCollection(affiliate.name, request, deps.config.PUBLIC_URL);
  });

  return router;
}
