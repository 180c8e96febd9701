import Router from '@koa/router';
import type { Context } from 'koa';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { authenticateAffiliate } from '../intake/affiliateAuth.js';
import { leadStatus } from '../intake/leadStatus.js';
import { processLead } from '../intake/processLead.js';
import { countIntake } from '../middleware/metrics.js';

/** POST /api/v1/leads and its Track360-compatible twin; GET /api/v1/leads/{id}. */
export function intakeRoutes(deps: AppDeps): Router {
  const router = new Router();

  const intake = (allowBodyToken: boolean) => async (ctx: Context) => {
    const body = ctx.request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new AppError(400, 'validation.body', 'Request body must be a JSON object');
    const { affiliateId } = await authenticateAffiliate(deps, ctx, allowBodyToken);
    await deps.intakeLimiter.consume(affiliateId);
    const answer = await processLead(deps, {
      affiliateId,
      body: body as Record<string, unknown>,
      meta: { requestId: ctx.state.requestId as string, actor: { kind: 'affiliate', id: affiliateId }, sourceIp: ctx.ip },
      idempotencyKey: ctx.get('idempotency-key') || undefined,
    });
    ctx.status = answer.status;
    ctx.body = answer.body;
  };

  router.post('/api/v1/leads', countIntake(deps.metrics, intake(false)));
  router.post('/webapi/api/affiliatemanagement/CreateAffiliateAPI', countIntake(deps.metrics, intake(true)));

  router.get('/api/v1/leads/:leadId', async (ctx) => {
    const { affiliateId } = await authenticateAffiliate(deps, ctx);
    ctx.body = await leadStatus(deps, affiliateId, ctx.params.leadId!);
  });

  return router;
}
