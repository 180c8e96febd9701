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

export const leadEvents = {
  LeadReceived: z.object({
    leadId: z.string(),
    affiliateId: z.string(),
    campaignId: z.string(),
    productId: z.string(),
    integrationId: z.string(),
    test: z.boolean(),
    lead: LeadFields,
  }),
  DeliveryAttemptStarted: z.object({ leadId: z.string(), attempt: z.number().int().positive() }),
  LeadDelivered: z.object({
    leadId: z.string(),
    attempt: z.number().int().positive(),
    externalId: z.string().optional(),
    autoLoginUrl: z.string().optional(),
  }),
  LeadRejected: z.object({
    leadId: z.string(),
    attempt: z.number().int().positive(),
    code: z.string(),
    error: z.string(),
  }),
  DeliveryAttemptFailed: z.object({
    leadId: z.string(),
    attempt: z.number().int().positive(),
    code: z.string(),
    error: z.string(),
    retryInMs: z.number().int().nonnegative().optional(),
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
