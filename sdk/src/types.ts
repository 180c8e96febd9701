/**
 * The affiliate-facing contract (API.md) as TypeScript types. Hand-kept so the SDK stands
 * alone (no zod, no server code); test/sdk/contractTypes.unit.test.ts pins each one to the
 * server's own schemas at compile time, and test/sdk/sdk.int.test.ts to live answers.
 */

/** An optional field affiliates may also send as null (the server reads null as absent). */
type Optional = string | null;

type Subs = { [N in 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 as `sub${N}`]?: Optional };

/** POST /api/v1/leads body. `campaignId`, or `productId` when you have exactly one campaign on it. */
export interface LeadInput extends Subs {
  campaignId?: Optional;
  productId?: Optional;
  firstName: string;
  lastName: string;
  email: string;
  /** ISO 3166-1 alpha-2, any case. */
  country: string;
  /** International format, or national for the lead's country. */
  phone?: Optional;
  language?: Optional;
  /** The lead's own IP address. */
  ip?: Optional;
  /** For registration-type CRMs: forwarded to the CRM, never stored in clear. */
  password?: Optional;
  clickId?: Optional;
  utm_source?: Optional;
  utm_medium?: Optional;
  utm_campaign?: Optional;
  comment?: Optional;
  /** Test leads are left out of reports unless asked for. */
  test?: boolean | null;
}

/** A lead's state: pending until the CRM answers or delivery gives up. */
export type LeadState = 'pending' | 'delivered' | 'rejected' | 'failed';

/** A report row's status: a lead's state, or why intake refused the request. */
export type ReportStatus = LeadState | 'duplicate' | 'refused';

/**
 * The contract's stable error codes (API.md, "Errors" and the README's changes). Open-ended,
 * since the contract may add codes; `validation.<field>` names the bad field.
 */
export type ErrorCode =
  | `validation.${string}`
  | 'auth.missing_token'
  | 'auth.invalid_token'
  | 'auth.token_expired'
  | 'auth.unauthenticated'
  | 'auth.ip_not_allowed'
  | 'auth.forbidden'
  | 'integration.not_enabled'
  | 'not_found'
  | 'duplicate'
  | 'conflict'
  | 'rules.country_not_allowed'
  | 'rules.cap_reached'
  | 'crm.rejected'
  | 'rate_limited'
  | 'crm.unavailable'
  | 'crm.timeout'
  | 'unavailable'
  | 'internal'
  | (string & {});

/**
 * What POST /api/v1/leads answered, by `status`. Every answer of the contract is a value,
 * refusals included; only what the contract does not promise (network errors, 500, 503, an
 * answer that is not the contract's JSON) throws a LeadgateError.
 */
export type CreateLeadResult =
  /** 200: the CRM took the lead. */
  | { status: 'delivered'; success: true; httpStatus: 200; leadId: string; autoLoginUrl?: string }
  /** 202: stored; the CRM had not answered within the sync window. Poll getLead or waitForLead. */
  | { status: 'pending'; success: true; httpStatus: 202; leadId: string; statusUrl: string }
  /** 422: the CRM refused it; `error` is the CRM's own message. */
  | { status: 'rejected'; success: false; httpStatus: 422; leadId: string; error: string; code: 'crm.rejected'; reason?: 'crm.rejected' | 'crm.bad_response' }
  /** 502/504: delivery gave up within the sync window and will not retry. */
  | { status: 'failed'; success: false; httpStatus: 502 | 504; leadId: string; error: string; code: 'crm.unavailable' | 'crm.timeout' }
  /**
   * 4xx: not accepted — bad input, key or IP, rules, cap, rate limit. A `duplicate` carries
   * the earlier lead's `leadId`; `rules.cap_reached` and `rate_limited` carry `retryAfterSeconds`.
   */
  | { status: 'refused'; success: false; httpStatus: number; error: string; code: ErrorCode; leadId?: string; retryAfterSeconds?: number };

export interface Conversion {
  event: ConversionEvent;
  amount?: number;
  currency?: string;
  occurredAt: string;
}

/** GET /api/v1/leads/{leadId}. */
export interface LeadStatus {
  success: true;
  leadId: string;
  status: LeadState;
  receivedAt: string;
  autoLoginUrl?: string;
  error?: string;
  code?: ErrorCode;
  conversions: Conversion[];
}

/** A time for a report filter: a Date, or an ISO date or timestamp (UTC when it has no offset). */
export type Instant = Date | string;

/** Filters both reports share. A key always sees its own affiliate's rows only. */
export interface ReportFilters {
  /** Inclusive. */
  from?: Instant;
  /** Exclusive. */
  to?: Instant;
  /** For employee tokens, which see every affiliate. */
  affiliateId?: string;
  campaignId?: string;
  productId?: string;
  country?: string;
  /** Test leads are left out unless true. */
  includeTest?: boolean;
}

export interface LeadsFilters extends ReportFilters {
  status?: ReportStatus;
  /** Exact, case-insensitive. */
  email?: string;
}

export interface LeadsPageQuery extends LeadsFilters {
  /** 1–1000, default 100. */
  limit?: number;
  /** A page's `nextCursor`. */
  cursor?: string;
}

/** A row of the Leads via API report; every field the contract lists, null when unknown. */
export interface LeadReportRow extends Record<`sub${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10}`, string | null> {
  leadId: string;
  receivedAt: string;
  affiliateId: string;
  campaignId: string | null;
  productId: string | null;
  country: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  clickId: string | null;
  status: ReportStatus;
  error: string | null;
  autoLoginUrl: string | null;
  signupAt: string | null;
  ftdAt: string | null;
  ftdAmount: number | null;
  test: boolean;
}

export interface LeadsPage {
  rows: LeadReportRow[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export type SummaryGroup = 'day' | 'affiliate' | 'campaign' | 'product' | 'country';

export interface SummaryQuery extends ReportFilters {
  /** Default `day` (UTC dates). */
  groupBy?: SummaryGroup;
}

/** One group's counts; `leads` counts accepted leads, not refusals. */
export interface SummaryRow {
  /** A UTC date (YYYY-MM-DD), an id or a country; null for refusals that had none. */
  key: string | null;
  leads: number;
  delivered: number;
  rejected: number;
  failed: number;
  pending: number;
  duplicates: number;
  refused: number;
  signups: number;
  ftds: number;
  ftdAmount: number;
}

export type ConversionEvent = 'signup' | 'ftd' | 'deposit';

/** POST /api/v1/conversions body: the lead by leadgate's `leadId` or the CRM's `externalId`. */
export type ConversionInput = ({ leadId: string; externalId?: string } | { leadId?: string; externalId: string }) & {
  event: ConversionEvent;
  /** A plain decimal; a string keeps its exact digits ("99.50"). */
  amount?: number | string;
  /** ISO 4217. */
  currency?: string;
  /** Unique per conversion: a repeat is answered `duplicate: true` and fires nothing again. */
  transactionId: string;
  occurredAt?: Instant;
};

export interface ConversionResult {
  conversionId: string;
  leadId: string;
  /** True when this transactionId was already recorded (nothing fired again). */
  duplicate: boolean;
}
