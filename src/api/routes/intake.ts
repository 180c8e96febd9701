import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { acceptLead, leadFields, recordRefusal, storeIdempotentAnswer } from '../../commands/acceptLead.js';
import type { EventMetadata } from '../../events/events.js';
import { ipAllowed } from '../../security/ipRanges.js';
import { touchKeyLastUsed } from '../../security/apiKeyAuth.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { LeadBody, targetOf } from '../intake/leadInput.js';
import { leadAnswer } from '../intake/leadAnswer.js';
import { leadStatus } from '../intake/leadStatus.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

interface Affiliate {
  affiliateId: string;
  keyId: string;
}

function presentedKey(ctx: Context, allowBodyToken: boolean): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
  const header = ctx.get('x-api-key') || undefined;
  const body = ctx.request.body as Record<string, unknown> | undefined;
  const token = allowBodyToken && typeof body?.apiToken === 'string' ? body.apiToken : undefined;
  return bearer ?? header ?? token;
}

/** Authenticates the affiliate by API key and checks the client IP against its whitelist. */
async function authenticateAffiliate(deps: AppDeps, ctx: Context, allowBodyToken: boolean): Promise<Affiliate> {
  const key = presentedKey(ctx, allowBodyToken);
  if (!key) throw new AppError(401, 'auth.missing_token', 'API key required (Authorization: Bearer <key> or X-Api-Key)');
  const auth = await deps.access.apiKey(key);
  if (!auth.ok) {
    throw new AppError(401, auth.code, auth.code === 'auth.token_expired' ? 'API key has expired' : 'API key is invalid or revoked');
  }
  const whitelist = await deps.access.whitelist(auth.affiliateId);
  if (!ipAllowed(ctx.ip, whitelist)) {
    throw new AppError(403, 'auth.ip_not_allowed', `IP address ${ctx.ip} is not whitelisted for this API key`);
  }
  void touchKeyLastUsed(deps.storage.db, auth.keyId).catch(() => undefined);
  return { affiliateId: auth.affiliateId, keyId: auth.keyId };
}

function metadataFor(ctx: Context, affiliateId: string): EventMetadata {
  return { requestId: ctx.state.requestId as string, actor: { kind: 'affiliate', id: affiliateId }, sourceIp: ctx.ip };
}

/**
 * Refusals of an authenticated affiliate's lead are recorded (they show in its reports as
 * `refused` / `duplicate`) and then answered with the contract's error.
 */
async function refuse(deps: AppDeps, ctx: Context, affiliateId: string, error: AppError, extra: { campaignId?: string; productId?: string; duplicateOf?: string } = {}): Promise<never> {
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  const parsed = LeadBody.safeParse(body);
  const lead = parsed.success ? leadFields(parsed.data) : partialLead(body);
  await recordRefusal(
    deps,
    { affiliateId, code: error.code, error: error.message, ...extra, lead, test: body.test === true },
    metadataFor(ctx, affiliateId),
  );
  throw error;
}

/** What can be kept of an invalid body for the report: short strings of the known fields only. */
function partialLead(body: Record<string, unknown>): Record<string, string> {
  const keep = ['email', 'firstName', 'lastName', 'country', 'phone', 'clickId', ...Array.from({ length: 10 }, (_, i) => `sub${i + 1}`)];
  return Object.fromEntries(keep.flatMap((k) => (typeof body[k] === 'string' ? [[k, (body[k] as string).slice(0, 255)]] : [])));
}

function validationError(error: z.ZodError): AppError {
  const issue = error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
  return new AppError(400, `validation.${field}`, issue.path.length > 0 ? `${field}: ${issue.message}` : issue.message);
}

/** POST /api/v1/leads and its Track360-compatible twin; GET /api/v1/leads/{id}. */
export function intakeRoutes(deps: AppDeps): Router {
  const router = new Router();

  const intake = (allowBodyToken: boolean) => async (ctx: Context) => {
    if (!ctx.request.body || typeof ctx.request.body !== 'object' || Array.isArray(ctx.request.body)) {
      throw new AppError(400, 'validation.body', 'Request body must be a JSON object');
    }
    const { affiliateId } = await authenticateAffiliate(deps, ctx, allowBodyToken);
    await deps.intakeLimiter.consume(affiliateId);

    const target = targetOf(ctx.request.body);
    if (!target.campaignId && !target.productId) {
      await refuse(deps, ctx, affiliateId, new AppError(400, 'validation.campaignId', 'campaignId: is required (or productId when you have one campaign on that product)'));
    }
    const campaign = await deps.access.campaign(affiliateId, target);
    if (!campaign) {
      const field = target.campaignId ? 'campaignId' : 'productId';
      await refuse(deps, ctx, affiliateId, new AppError(400, `validation.${field}`, target.campaignId ? 'campaignId: unknown campaign' : 'productId: no single campaign of yours on this product'), target);
    }
    const { campaignId, productId } = campaign!;
    const apiIntegration = await deps.access.apiIntegration(affiliateId, productId);
    if (!apiIntegration || !apiIntegration.enabled) {
      await refuse(deps, ctx, affiliateId, new AppError(403, 'integration.not_enabled', 'No API integration is enabled for you on this product'), { campaignId, productId });
    }
    const parsed = LeadBody.safeParse(ctx.request.body);
    if (!parsed.success) await refuse(deps, ctx, affiliateId, validationError(parsed.error), { campaignId, productId });
    const lead = parsed.data!;
    const settings = apiIntegration!;
    if (settings.allowedCountries && !settings.allowedCountries.includes(lead.country)) {
      await refuse(deps, ctx, affiliateId, new AppError(403, 'rules.country_not_allowed', `Leads from ${lead.country} are not accepted on this integration`), { campaignId, productId });
    }

    const idemKey = ctx.get('idempotency-key');
    if (idemKey && !IDEMPOTENCY_KEY.test(idemKey)) throw new AppError(400, 'validation.idempotency_key', 'Idempotency-Key must be 1–255 visible ASCII characters');
    const idempotency = idemKey
      ? { key: idemKey, requestHash: createHash('sha256').update(JSON.stringify(ctx.request.body)).digest('hex') }
      : undefined;

    const result = await acceptLead(
      deps,
      { affiliateId, campaignId, productId, integrationId: settings.integrationId, apiIntegrationId: settings.id, dailyCap: settings.dailyCap, dedupe: settings.dedupe, lead, idempotency },
      metadataFor(ctx, affiliateId),
    );
    switch (result.kind) {
      case 'duplicate':
        return refuse(deps, ctx, affiliateId, new AppError(409, 'duplicate', 'This lead was already accepted', {}, { leadId: result.leadId }), { campaignId, productId, duplicateOf: result.leadId });
      case 'cap_reached':
        return refuse(deps, ctx, affiliateId, new AppError(429, 'rules.cap_reached', 'The daily cap of this integration is reached', { 'Retry-After': String(secondsToUtcMidnight()) }), { campaignId, productId });
      case 'idempotency_mismatch':
        throw new AppError(422, 'validation.idempotency_key', 'Idempotency-Key was already used with a different request body');
      case 'replayed':
        if (result.response) {
          ctx.status = result.response.status;
          ctx.body = result.response.body;
          return;
        }
        break;
      case 'accepted':
        await deps.enqueueDelivery(result.leadId).catch((err: Error) =>
          // Stored but not enqueued: the sweeper delivers it; the affiliate gets 202.
          ctx.state.logger?.warn({ err: err.message, leadId: result.leadId }, 'enqueue failed; the sweeper will deliver this lead'),
        );
        break;
    }
    const row = await deps.outcomes.wait(result.leadId, deps.config.SYNC_WINDOW_MS);
    const answer = leadAnswer(result.leadId, row);
    ctx.status = answer.status;
    ctx.body = answer.body;
    if (idempotency && answer.status !== 202) await storeIdempotentAnswer(deps, affiliateId, idempotency.key, answer.status, answer.body);
  };

  router.post('/api/v1/leads', intake(false));
  router.post('/webapi/api/affiliatemanagement/CreateAffiliateAPI', intake(true));

  router.get('/api/v1/leads/:leadId', async (ctx) => {
    const { affiliateId } = await authenticateAffiliate(deps, ctx, false);
    ctx.body = await leadStatus(deps, affiliateId, ctx.params.leadId!);
  });

  return router;
}

function secondsToUtcMidnight(now = new Date()): number {
  const midnight = new Date(now);
  midnight.setUTCHours(24, 0, 0, 0);
  return Math.ceil((midnight.getTime() - now.getTime()) / 1000);
}
