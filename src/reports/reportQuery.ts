import { z } from 'zod';
import { LeadCursor } from './cursor.js';

/** Whose rows a caller may see: one affiliate's (its key or its console login), or everyone's. */
export interface ReportScope {
  affiliateId?: string;
}

export const REPORT_STATUSES = ['pending', 'delivered', 'rejected', 'failed', 'duplicate', 'refused'] as const;

const OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** An ISO date (its UTC midnight) or timestamp; a timestamp without an offset is UTC. */
const Instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true, local: true })], { error: 'must be an ISO date (2026-11-23) or timestamp, UTC' })
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00.000Z` : OFFSET.test(v) ? v : `${v}Z`));

const Id = z.string().trim().min(1).max(200);

/** The filters every report shares. A key's scope is applied on top of them, never instead. */
const Filters = z.object({
  from: Instant.optional(),
  to: Instant.optional(),
  affiliateId: Id.optional(),
  campaignId: Id.optional(),
  productId: Id.optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')
    .transform((c) => c.toUpperCase())
    .optional(),
  includeTest: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  format: z.enum(['json', 'csv']).default('json'),
});
export type ReportFilters = z.infer<typeof Filters>;

export const LeadsQuery = Filters.extend({
  status: z.enum(REPORT_STATUSES).optional(),
  email: z.string().trim().min(1).max(320).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: LeadCursor.optional(),
});
export type LeadsQuery = z.infer<typeof LeadsQuery>;

/**
 * The summary counts per status and has no rows per lead, so `status` and `email` (and `limit`,
 * `cursor`) do not apply: they are ignored (the console sends one filter set to both reports).
 */
export const SummaryQuery = Filters.extend({
  groupBy: z.enum(['day', 'affiliate', 'campaign', 'product', 'country']).default('day'),
});
export type SummaryQuery = z.infer<typeof SummaryQuery>;

/** A query string as Koa parses it, with empty parameters (`country=`) taken as absent. */
export function presentParams(query: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(query).filter((e): e is [string, string | string[]] => e[1] !== undefined && e[1] !== ''));
}

/** Equality filters as column and value, the scope's affiliate included, for either report table. */
export function equalities(filters: ReportFilters, scope: ReportScope): ['affiliate_id' | 'campaign_id' | 'product_id' | 'country', string][] {
  const pairs: ['affiliate_id' | 'campaign_id' | 'product_id' | 'country', string | undefined][] = [
    ['affiliate_id', scope.affiliateId],
    ['affiliate_id', filters.affiliateId],
    ['campaign_id', filters.campaignId],
    ['product_id', filters.productId],
    ['country', filters.country],
  ];
  return pairs.filter((p): p is ['affiliate_id' | 'campaign_id' | 'product_id' | 'country', string] => p[1] !== undefined);
}
