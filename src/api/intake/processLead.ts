import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { leadFields, recordRefusal, storeIdempotentAnswer } from '../../commands/acceptLead.js';
import type { EventMetadata } from '../../events/events.js';
import { LeadFields } from '../../events/types/lead.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { leadAnswer, type LeadAnswer } from './leadAnswer.js';
import { parseLeadBody, targetOf } from './leadInput.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface LeadRequest {
  affiliateId: string;
  body: Record<string, unknown>;
  meta: EventMetadata;
  idempotencyKey?: string;
  /** Use this product integration (the console's test of one integration) instead of the first enabled. */
  integrationId?: string;
}

const KEPT_ON_REFUSAL = ['email', 'firstName', 'lastName', 'country', 'phone', 'clickId', ...Array.from({ length: 10 }, (_, i) => `sub${i + 1}`)] as const;

/**
 * What can be kept of an invalid body for the report: the known fields that are short
 * strings and fit the event's own schema (an empty country, say, does not), nothing else.
 */
function partialLead(body: Record<string, unknown>): Partial<LeadFields> {
  const kept: Record<string, string> = {};
  for (const key of KEPT_ON_REFUSAL) {
    const value = body[key];
    if (typeof value !== 'string') continue;
    const short = value.slice(0, 255);
    if (LeadFields.shape[key as keyof typeof LeadFields.shape].safeParse(short).success) kept[key] = short;
  }
  return kept;
}

function validationError(error: z.ZodError): AppError {
  const issue = error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
  return new AppError(400, `validation.${field}`, issue.path.length > 0 ? `${field}: ${issue.message}` : issue.message);
}

function secondsToUtcMidnight(now = new Date()): number {
  const midnight = new Date(now);
  midnight.setUTCHours(24, 0, 0, 0);
  return Math.ceil((midnight.getTime() - now.getTime()) / 1000);
}

/**
 * An authenticated affiliate's lead, from body to answer: campaign → enabled integration →
 * validation → rules → duplicates, caps and Idempotency-Key → LeadReceived → enqueue → wait
 * for the outcome up to the sync window. A refusal is recorded (the reports show why a lead
 * did not arrive) and thrown as the contract's error.
 */
export async function processLead(deps: AppDeps, req: LeadRequest): Promise<LeadAnswer> {
  const { affiliateId, body, meta } = req;
  const refuse = async (error: AppError, extra: { campaignId?: string; productId?: string; duplicateOf?: string } = {}): Promise<never> => {
    const parsed = parseLeadBody(body);
    const lead = parsed.success ? leadFields(parsed.data) : partialLead(body);
    await recordRefusal(deps, { affiliateId, code: error.code, error: error.message, ...extra, lead, test: body.test === true }, meta);
    throw error;
  };

  const target = targetOf(body);
  if (!target.campaignId && !target.productId) {
    await refuse(new AppError(400, 'validation.campaignId', 'campaignId: is required (or productId when you have one campaign on that product)'));
  }
  const campaign = await deps.access.campaign(affiliateId, target);
  if (!campaign) {
    const message = target.campaignId ? 'campaignId: unknown campaign' : 'productId: no single campaign of yours on this product';
    await refuse(new AppError(400, target.campaignId ? 'validation.campaignId' : 'validation.productId', message), target);
  }
  const { campaignId, productId } = campaign!;
  const settings = await deps.access.apiIntegration(affiliateId, productId, req.integrationId);
  if (!settings || !settings.enabled) {
    await refuse(new AppError(403, 'integration.not_enabled', 'No API integration is enabled for you on this product'), { campaignId, productId });
  }
  const parsed = parseLeadBody(body);
  if (!parsed.success) await refuse(validationError(parsed.error), { campaignId, productId });
  const lead = parsed.data!;
  const { id: apiIntegrationId, integrationId, allowedCountries, dailyCap, dedupe } = settings!;
  if (allowedCountries && !allowedCountries.includes(lead.country)) {
    await refuse(new AppError(403, 'rules.country_not_allowed', `Leads from ${lead.country} are not accepted on this integration`), { campaignId, productId });
  }

  if (req.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(req.idempotencyKey)) {
    throw new AppError(400, 'validation.idempotency_key', 'Idempotency-Key must be 1–255 visible ASCII characters');
  }
  const idempotency = req.idempotencyKey
    ? { key: req.idempotencyKey, requestHash: createHash('sha256').update(JSON.stringify(body)).digest('hex') }
    : undefined;

  const result = await deps.leads.accept({ affiliateId, campaignId, productId, integrationId, apiIntegrationId, dailyCap, dedupe, lead, idempotency }, meta);
  switch (result.kind) {
    case 'duplicate':
      return refuse(new AppError(409, 'duplicate', 'This lead was already accepted', {}, { leadId: result.leadId }), { campaignId, productId, duplicateOf: result.leadId });
    case 'cap_reached':
      return refuse(
        new AppError(429, 'rules.cap_reached', 'The daily cap of this integration is reached', { 'Retry-After': String(secondsToUtcMidnight()) }),
        { campaignId, productId },
      );
    case 'idempotency_mismatch':
      throw new AppError(422, 'validation.idempotency_key', 'Idempotency-Key was already used with a different request body');
    case 'replayed':
      if (result.response) return result.response;
      break;
    case 'accepted':
      // Just stored: with no sync window it is pending, no need to read it back.
      if (deps.config.SYNC_WINDOW_MS <= 0) return leadAnswer(result.leadId, undefined);
      break;
  }
  const answer = leadAnswer(result.leadId, await deps.outcomes.wait(result.leadId, deps.config.SYNC_WINDOW_MS, { justAccepted: result.kind === 'accepted' }));
  if (idempotency && answer.status !== 202) await storeIdempotentAnswer(deps, affiliateId, idempotency.key, answer.status, answer.body);
  return answer;
}
