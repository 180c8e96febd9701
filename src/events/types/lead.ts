import { z } from 'zod';

/** The lead as the affiliate sent it, validated and normalised. Never the password. */
export const LeadFields = z.object({
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  country: z.string().length(2),
  phone: z.string().optional(),
  language: z.string().optional(),
  ip: z.string().optional(),
  clickId: z.string().optional(),
  sub1: z.string().optional(),
  sub2: z.string().optional(),
  sub3: z.string().optional(),
  sub4: z.string().optional(),
  sub5: z.string().optional(),
  sub6: z.string().optional(),
  sub7: z.string().optional(),
  sub8: z.string().optional(),
  sub9: z.string().optional(),
  sub10: z.string().optional(),
  utm_source: z.string().optional(),
  utm_medium: z.string().optional(),
  utm_campaign: z.string().optional(),
  comment: z.string().optional(),
});
export type LeadFields = z.infer<typeof LeadFields>;

/**
 * One call to a CRM as the timeline shows it: header values of the integration and the
 * affiliate's password already masked, bodies truncated.
 */
export const HttpExchange = z.object({
  request: z.object({
    method: z.string(),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.string(),
  }),
  response: z.object({ status: z.number().int(), body: z.string() }).optional(),
  durationMs: z.number().int().nonnegative(),
});
export type HttpExchange = z.infer<typeof HttpExchange>;

/** The events that end a lead's delivery: its outcome. */
export const LEAD_OUTCOMES = ['LeadDelivered', 'LeadRejected', 'LeadDeliveryFailed'] as const;

/** A lead's events live in its own stream, named by this prefix and the lead id (appends route their notifications by it). */
export const LEAD_STREAM_PREFIX = 'lead-';
export const leadStream = (leadId: string): string => `${LEAD_STREAM_PREFIX}${leadId}`;

export const leadEvents = {
  LeadReceived: z.object({
    leadId: z.string(),
    affiliateId: z.string(),
    campaignId: z.string(),
    productId: z.string(),
    integrationId: z.string(),
    apiIntegrationId: z.string().optional(),
    test: z.boolean(),
    lead: LeadFields,
  }),
  /** A request from an authenticated affiliate refused at intake, kept so managers can see why leads did not arrive. */
  LeadRefused: z.object({
    refusalId: z.string(),
    affiliateId: z.string(),
    code: z.string(),
    error: z.string(),
    campaignId: z.string().optional(),
    productId: z.string().optional(),
    duplicateOf: z.string().optional(),
    test: z.boolean(),
    lead: LeadFields.partial(),
  }),
  DeliveryAttemptStarted: z.object({ leadId: z.string(), attempt: z.number().int().positive() }),
  LeadDelivered: z.object({
    leadId: z.string(),
    attempt: z.number().int().positive(),
    externalId: z.string().optional(),
    autoLoginUrl: z.string().optional(),
    http: HttpExchange.optional(),
  }),
  LeadRejected: z.object({
    leadId: z.string(),
    attempt: z.number().int().positive(),
    code: z.string(),
    error: z.string(),
    http: HttpExchange.optional(),
  }),
  DeliveryAttemptFailed: z.object({
    leadId: z.string(),
    attempt: z.number().int().positive(),
    code: z.string(),
    error: z.string(),
    /** The CRM may have registered the lead (a timeout, a crash mid-call): counted apart, never hidden. */
    outcomeUnknown: z.boolean().optional(),
    retryInMs: z.number().int().nonnegative().optional(),
    http: HttpExchange.optional(),
  }),
  LeadDeliveryFailed: z.object({
    leadId: z.string(),
    attempts: z.number().int().nonnegative(),
    code: z.string(),
    error: z.string(),
  }),
  LeadConverted: z.object({
    leadId: z.string(),
    conversionId: z.string(),
    productId: z.string(),
    event: z.enum(['signup', 'ftd', 'deposit']),
    amount: z.string().optional(),
    currency: z.string().optional(),
    transactionId: z.string(),
    occurredAt: z.iso.datetime({ offset: true }),
  }),
};
