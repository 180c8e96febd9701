/** The shapes the console reads from the API (../../shared/API.md), as JSON carries them. */

export type Role = 'admin' | 'manager' | 'affiliate';

export interface Items<T> {
  items: T[];
}

export interface Me {
  id: string;
  email: string;
  role: Role;
  kind: 'employee' | 'affiliate_user';
  affiliateId?: string;
}

export interface Product {
  id: string;
  name: string;
  advertiser: string | null;
  hasApiIntegration: boolean;
  createdAt: string;
  updatedAt: string;
  /** On the single view only. */
  conversionSecret?: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';
export type DedupeField = 'email' | 'phone' | 'clickId';

export interface IntegrationRequest {
  url: string;
  method: HttpMethod;
  format: 'json' | 'form';
  /** Values come back masked as "••••". */
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface ResponseMapping {
  successPath?: string;
  successEquals?: string | number | boolean;
  autoLoginUrlPath?: string;
  externalIdPath?: string;
  errorPath?: string;
}

export interface IntegrationInput {
  type: 'leads' | 'registration';
  name: string;
  request: IntegrationRequest;
  response: ResponseMapping;
  timeoutMs: number;
  retry: { attempts: number; baseDelayMs: number };
  dedupe: { fields: DedupeField[]; windowDays: number };
}

export interface Integration extends IntegrationInput {
  id: string;
  productId: string;
  createdAt: string;
  updatedAt: string;
}

export interface Affiliate {
  id: string;
  name: string;
  email: string;
  kind: 'affiliate' | 'ib';
  createdAt: string;
  updatedAt: string;
}

export interface Campaign {
  id: string;
  affiliateId: string;
  productId: string;
  name: string;
  createdAt: string;
}

export interface ApiIntegration {
  id: string;
  affiliateId: string;
  integrationId: string;
  productId: string;
  integrationName: string;
  enabled: boolean;
  allowedCountries: string[] | null;
  dailyCap: number | null;
  params: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface ApiKeyInfo {
  prefix: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  expiresSoon: boolean;
}

export interface IssuedApiKey {
  key: string;
  prefix: string;
  expiresAt: string;
}

export interface WhitelistEntry {
  id: string;
  from: string;
  to: string;
  input: string;
  family: 4 | 6;
  openToAll: boolean;
  createdAt: string;
}

export interface Whitelist {
  items: WhitelistEntry[];
  openToAll: boolean;
}

export type PostbackEvent = 'lead' | 'signup' | 'ftd' | 'deposit';

export interface Postback {
  id: string;
  affiliateId: string;
  event: PostbackEvent;
  url: string;
  method: 'GET' | 'POST';
  productId: string | null;
  createdAt: string;
}

export interface AffiliateUser {
  id: string;
  affiliateId: string;
  email: string;
  createdAt: string;
}

export type LeadStatus = 'pending' | 'delivered' | 'rejected' | 'failed' | 'refused' | 'duplicate';

export interface LeadRow {
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
  sub1?: string | null;
  sub2?: string | null;
  sub3?: string | null;
  sub4?: string | null;
  sub5?: string | null;
  status: LeadStatus | string;
  error: string | null;
  autoLoginUrl: string | null;
  signupAt: string | null;
  ftdAt: string | null;
  ftdAmount: number | string | null;
  test: boolean;
}

export interface LeadsPage {
  rows: LeadRow[];
  nextCursor: string | null;
}

export interface SummaryRow {
  key: string;
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

export interface RecordedRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface RecordedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface DeliveryAttempt {
  attempt: number;
  startedAt: string;
  durationMs: number | null;
  outcome: string;
  code?: string | null;
  error?: string | null;
  /** The CRM may have the lead although the attempt failed (a timeout mid-call). */
  outcomeUnknown?: boolean;
  request: RecordedRequest | null;
  response: RecordedResponse | null;
}

export interface LeadTimeline {
  lead: Record<string, unknown>;
  events: { type: string; at: string; data: unknown }[];
  attempts: DeliveryAttempt[];
  postbacks: { event: string; url: string; attempt: number; status: number | string | null; at: string; outcome?: string; error?: string | null; method?: string }[];
}

/** POST …/integrations/{id}/test: the four legs of one test lead. */
export interface IntegrationTestResult {
  request: unknown;
  crmRequest: unknown;
  crmResponse: unknown;
  response: unknown;
  leadId?: string;
}
