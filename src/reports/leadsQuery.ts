import type { Kysely, Selectable } from 'kysely';
import type { Database, LeadsReportTable } from '../db/schema.js';
import { encodeCursor, type LeadPosition } from './cursor.js';
import { equalities, type LeadsQuery, type ReportScope } from './reportQuery.js';

/** The row fields of the Leads via API report, in the API's (and the CSV's) order. */
export const LEAD_FIELDS = [
  'leadId',
  'receivedAt',
  'affiliateId',
  'campaignId',
  'productId',
  'country',
  'email',
  'firstName',
  'lastName',
  'phone',
  'clickId',
  'sub1',
  'sub2',
  'sub3',
  'sub4',
  'sub5',
  'sub6',
  'sub7',
  'sub8',
  'sub9',
  'sub10',
  'status',
  'error',
  'autoLoginUrl',
  'signupAt',
  'ftdAt',
  'ftdAmount',
  'test',
] as const;

export type LeadReportRow = Record<Exclude<(typeof LEAD_FIELDS)[number], 'ftdAmount' | 'test'>, string | null> & {
  leadId: string;
  receivedAt: string;
  affiliateId: string;
  status: string;
  ftdAmount: number | null;
  test: boolean;
};

export interface LeadsPage {
  rows: LeadReportRow[];
  nextCursor: string | null;
}

/** The filters of a page, without the paging. */
export type LeadsFilters = Omit<LeadsQuery, 'limit' | 'cursor'>;

function toRow(r: Selectable<LeadsReportTable>): LeadReportRow {
  return {
    leadId: r.lead_id,
    receivedAt: r.received_at.toISOString(),
    affiliateId: r.affiliate_id,
    campaignId: r.campaign_id,
    productId: r.product_id,
    country: r.country,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    phone: r.phone,
    clickId: r.click_id,
    sub1: r.sub1,
    sub2: r.sub2,
    sub3: r.sub3,
    sub4: r.sub4,
    sub5: r.sub5,
    sub6: r.sub6,
    sub7: r.sub7,
    sub8: r.sub8,
    sub9: r.sub9,
    sub10: r.sub10,
    status: r.status,
    error: r.error,
    autoLoginUrl: r.auto_login_url,
    signupAt: r.signup_at?.toISOString() ?? null,
    ftdAt: r.ftd_at?.toISOString() ?? null,
    ftdAmount: r.ftd_amount === null ? null : Number(r.ftd_amount),
    test: r.test,
  };
}

/**
 * One page, newest first, after `after`. The keyset (received_at, lead_id) is unique and
 * never changes for a row; received_at is written from a JS Date, so the cursor's millisecond
 * time matches it exactly. Each equality filter has an index ending in (received_at, lead_id).
 */
async function page(db: Kysely<Database>, filters: LeadsFilters, scope: ReportScope, limit: number, after?: LeadPosition): Promise<LeadsPage> {
  let query = db.selectFrom('leads_report').selectAll();
  for (const [column, value] of equalities(filters, scope)) query = query.where(column, '=', value);
  if (filters.from) query = query.where('received_at', '>=', filters.from);
  if (filters.to) query = query.where('received_at', '<', filters.to);
  if (filters.status) query = query.where('status', '=', filters.status);
  const email = filters.email?.toLowerCase();
  // Matches the lower(email) index.
  if (email) query = query.where((eb) => eb(eb.fn('lower', ['email']), '=', email));
  if (!filters.includeTest) query = query.where('test', '=', false);
  if (after) query = query.where((eb) => eb(eb.refTuple('received_at', 'lead_id'), '<', eb.tuple(after.receivedAt, after.leadId)));
  const found = await query
    .orderBy('received_at', 'desc')
    .orderBy('lead_id', 'desc')
    .limit(limit + 1)
    .execute();
  const rows = found.slice(0, limit);
  const last = rows[rows.length - 1];
  const nextCursor = found.length > limit && last ? encodeCursor({ receivedAt: last.received_at, leadId: last.lead_id }) : null;
  return { rows: rows.map(toRow), nextCursor };
}

export function leadsPage(db: Kysely<Database>, query: LeadsQuery, scope: ReportScope): Promise<LeadsPage> {
  return page(db, query, scope, query.limit, query.cursor);
}

/** Every matching row, a page at a time, for the CSV export: each page is a short keyset query. */
export async function* allLeads(db: Kysely<Database>, filters: LeadsFilters, scope: ReportScope, pageSize = 1000): AsyncGenerator<LeadReportRow[]> {
  let after: LeadPosition | undefined;
  for (;;) {
    const next = await page(db, filters, scope, pageSize, after);
    if (next.rows.length > 0) yield next.rows;
    const last = next.rows[next.rows.length - 1];
    if (!next.nextCursor || !last) return;
    after = { receivedAt: new Date(last.receivedAt), leadId: last.leadId };
  }
}
