import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { LeadBody } from '../intake/leadInput.js';
import { ErrorBody, errorResponses, jsonContent, jsonResponse, pathParams, security, Timestamp, type SecurityRequirements } from './components.js';

const LeadId = z.string().meta({ example: 'ld_7YhQ2kP9' });

/** 200: the CRM took the lead within the sync window (leadAnswer, "delivered"). */
export const LeadDeliveredAnswer = z.object({
  success: z.literal(true),
  leadId: LeadId,
  status: z.literal('delivered'),
  autoLoginUrl: z.string().optional().meta({ description: "The CRM's auto-login URL, when its answer has one." }),
});

/** 202: no outcome within the sync window; the lead is stored and delivery goes on. */
export const LeadPendingAnswer = z.object({
  success: z.literal(true),
  leadId: LeadId,
  status: z.literal('pending'),
  statusUrl: z.string().meta({ example: '/api/v1/leads/ld_7YhQ2kP9' }),
});

/** 422: the CRM refused the lead; never retried. */
export const LeadRejectedAnswer = z.object({
  ...ErrorBody.shape,
  leadId: LeadId,
  status: z.literal('rejected'),
  error: z.string().meta({ description: "The CRM's own message." }),
  code: z.literal('crm.rejected'),
  reason: z.enum(['crm.rejected', 'crm.bad_response']).meta({ description: '`crm.bad_response` when the CRM answered 2xx with a body that could not be read.' }),
});

/** 502/504: delivery gave up within the sync window and will not retry. */
export const LeadFailedAnswer = z.object({
  ...ErrorBody.shape,
  leadId: LeadId,
  status: z.literal('failed'),
  code: z.enum(['crm.unavailable', 'crm.timeout']),
});

/** 409: the same lead was accepted earlier (the integration's dedupe rule). */
export const DuplicateLeadAnswer = z.object({
  ...ErrorBody.shape,
  code: z.literal('duplicate'),
  leadId: LeadId.meta({ description: 'The earlier lead.' }),
});

export const Conversion = z.object({
  event: z.enum(['signup', 'ftd', 'deposit']),
  amount: z.number().optional(),
  currency: z.string().optional().meta({ example: 'USD' }),
  occurredAt: z.string().meta({ description: 'As the advertiser reported it (ISO 8601).' }),
});

/** GET /api/v1/leads/{leadId} (leadStatus). */
export const LeadStatusAnswer = z.object({
  success: z.literal(true),
  leadId: LeadId,
  status: z.enum(['pending', 'delivered', 'rejected', 'failed']),
  receivedAt: Timestamp,
  autoLoginUrl: z.string().optional(),
  error: z.string().optional().meta({ description: 'Why a rejected or failed lead did not go through.' }),
  code: z.string().optional().meta({ description: '`crm.rejected`, `crm.unavailable` or `crm.timeout` for a rejected or failed lead.' }),
  conversions: z.array(Conversion),
});

const IdempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .meta({ description: 'The same key from the same affiliate within 24 h answers the first answer again; reused with a different body it is a 422.' }),
});

const LEAD_BODY_NOTES =
  'Required: `campaignId` (or `productId` when the affiliate has exactly one campaign on that product), `firstName`, `lastName`, `email`, `country` (ISO 3166-1 alpha-2). ' +
  "`phone` is normalised to E.164 (international format, or national for the lead's country); `null` reads as absent. " +
  '`password` (registration-type CRMs) is forwarded to the CRM and never kept in clear.';

function sendLead(operationId: string, summary: string, body: z.ZodType, extraSecurity: SecurityRequirements = []): ZodOpenApiOperationObject {
  return {
    operationId,
    summary,
    tags: ['Affiliate API'],
    description:
      "Authenticates the key, checks the client IP against the affiliate's whitelist, validates the lead, checks duplicates, stores it and forwards it to the CRM. " +
      "Answers with the CRM's outcome when it comes within the sync window (default 10 s), else `202 pending` with a status URL.",
    security: [...security.affiliateKey, ...extraSecurity],
    requestParams: { header: IdempotencyHeader },
    requestBody: { required: true, description: LEAD_BODY_NOTES, content: jsonContent(body) },
    responses: {
      200: jsonResponse('Delivered: the CRM accepted the lead (or the first answer to a repeated Idempotency-Key).', LeadDeliveredAnswer),
      202: jsonResponse('Pending: stored and being delivered; poll the status URL.', LeadPendingAnswer),
      ...errorResponses({
        400: '`validation.<field>` or `validation.body`: a bad or missing field, malformed JSON.',
        401: '`auth.missing_token`, `auth.invalid_token` (unknown or revoked), `auth.token_expired`.',
        403: '`auth.ip_not_allowed`, `integration.not_enabled`, `rules.country_not_allowed`.',
        413: '`validation.too_large`: the body is over the limit.',
        415: '`validation.content_type`: the body is not `application/json`.',
        429: '`rate_limited`, or `rules.cap_reached` (the integration\'s daily cap).',
      }),
      409: jsonResponse('`duplicate`: the same lead was already accepted; `leadId` is the earlier one.', DuplicateLeadAnswer),
      422: jsonResponse('`crm.rejected`: the CRM refused the lead; or `validation.idempotency_key`: the key was used with another body.', z.union([LeadRejectedAnswer, ErrorBody])),
      502: jsonResponse('`crm.unavailable`: delivery gave up within the sync window.', LeadFailedAnswer),
      504: jsonResponse('`crm.timeout`: the CRM did not answer and delivery gave up within the sync window.', LeadFailedAnswer),
    },
  };
}

/** The Affiliate API: sending leads and reading their status. */
export const intakePaths: ZodOpenApiPathsObject = {
  '/api/v1/leads': { post: sendLead('sendLead', 'Send a lead', LeadBody) },
  '/webapi/api/affiliatemanagement/CreateAffiliateAPI': {
    post: sendLead(
      'sendLeadTrack360',
      'Send a lead (Track360-compatible path)',
      z.intersection(LeadBody, z.object({ apiToken: z.string().optional().meta({ description: 'The API key, accepted in the body on this path only.' }) })),
      // The key may travel as `apiToken` in the body instead of a header.
      [{}],
    ),
  },
  '/api/v1/leads/{leadId}': {
    get: {
      operationId: 'getLeadStatus',
      summary: "A lead's status and conversions",
      tags: ['Affiliate API'],
      description: "An affiliate sees only its own leads: another affiliate's lead answers 404.",
      security: security.affiliateKey,
      requestParams: { path: pathParams('/api/v1/leads/{leadId}') },
      responses: {
        200: jsonResponse('The lead.', LeadStatusAnswer),
        ...errorResponses({
          401: '`auth.missing_token`, `auth.invalid_token`, `auth.token_expired`.',
          403: '`auth.ip_not_allowed`.',
          404: '`not_found`: no such lead for this affiliate.',
        }),
      },
    },
  },
};
