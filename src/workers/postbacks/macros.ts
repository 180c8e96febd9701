import type { EventData } from '../../events/events.js';

const SUBS = ['sub1', 'sub2', 'sub3', 'sub4', 'sub5', 'sub6', 'sub7', 'sub8', 'sub9', 'sub10'] as const;

/** The macros a postback URL may carry (API.md, "Postback URL macros"). */
export const MACROS = [
  'lead_id',
  'click_id',
  'affclickid',
  'campaign_id',
  'affiliate_id',
  'product_id',
  'event',
  'amount',
  'currency',
  'country',
  ...SUBS,
  'transaction_id',
  'timestamp',
] as const;
export type Macro = (typeof MACROS)[number];

/** A delivery's macro values, fixed when it is triggered; an absent one renders empty. */
export type PostbackValues = Partial<Record<Macro, string>>;

export type PostbackEventName = 'lead' | EventData<'LeadConverted'>['event'];

const KNOWN = new Set<string>(MACROS);

/**
 * The values a lead's postback reports: the lead as received and, for a conversion, what
 * the advertiser reported. `timestamp` is when it happened (received, or the conversion's
 * occurredAt), so a retry or a resend reports the same time.
 */
export function postbackValues(received: EventData<'LeadReceived'>, receivedAt: Date, conversion?: EventData<'LeadConverted'>): PostbackValues {
  const { lead } = received;
  const values: PostbackValues = {
    lead_id: received.leadId,
    click_id: lead.clickId,
    affclickid: lead.clickId,
    campaign_id: received.campaignId,
    affiliate_id: received.affiliateId,
    product_id: received.productId,
    event: conversion?.event ?? 'lead',
    amount: conversion?.amount,
    currency: conversion?.currency,
    country: lead.country,
    transaction_id: conversion?.transactionId,
    timestamp: conversion ? new Date(conversion.occurredAt).toISOString() : receivedAt.toISOString(),
  };
  for (const sub of SUBS) values[sub] = lead[sub];
  // JSON drops undefined anyway; dropping it here keeps the stored payload and its equality checks plain.
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as PostbackValues;
}

/**
 * Fills a postback URL's macros, each value URL-encoded; a macro with no value becomes
 * empty and an unknown `{name}` stays as written (it may be the affiliate's own syntax).
 */
export function renderPostbackUrl(template: string, values: PostbackValues): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => (KNOWN.has(name) ? encodeURIComponent(values[name as Macro] ?? '') : whole));
}

/** The JSON a POST postback sends (API.md): the same values under their API names. */
export function postbackBody(values: PostbackValues, test: boolean): string {
  const data: Record<string, string | boolean | undefined> = {
    leadId: values.lead_id,
    event: values.event,
    affiliateId: values.affiliate_id,
    campaignId: values.campaign_id,
    productId: values.product_id,
    clickId: values.click_id,
    country: values.country,
  };
  for (const sub of SUBS) data[sub] = values[sub];
  Object.assign(data, { amount: values.amount, currency: values.currency, transactionId: values.transaction_id, test });
  return JSON.stringify({ type: `lead.${values.event ?? 'lead'}`, timestamp: values.timestamp, data });
}
