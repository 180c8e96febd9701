import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import { COUNTS, utcDay, type Counts } from '../projections/dailySummary.js';
import { equalities, type ReportScope, type SummaryQuery } from './reportQuery.js';

export type SummaryGroup = SummaryQuery['groupBy'];

/** One group's numbers; `key` is a day (YYYY-MM-DD), an id or a country, null when unknown (a refusal without one). */
export type SummaryRow = { key: string | null } & Counts & { ftdAmount: number };

export const SUMMARY_FIELDS = ['key', ...COUNTS, 'ftdAmount'] as const;

// '' marks an unknown campaign, product or country in daily_summary's key columns.
const KEYS: Record<SummaryGroup, RawBuilder<string | null>> = {
  day: sql<string>`to_char(day, 'YYYY-MM-DD')`,
  affiliate: sql<string>`affiliate_id`,
  campaign: sql<string | null>`nullif(campaign_id, '')`,
  product: sql<string | null>`nullif(product_id, '')`,
  country: sql<string | null>`nullif(country, '')`,
};

const DAY_MS = 86_400_000;

/**
 * The days [from, to) touches: the aggregates are per day, so a day counts whole when the
 * range covers any part of it (from 2026-11-23T12:00 includes the 23rd; to 2026-11-25 stops
 * before the 25th, to 2026-11-25T06:00 includes it).
 */
export function dayBounds(from?: Date, to?: Date): { fromDay?: string; toDay?: string } {
  const fromDay = from ? utcDay(from) : undefined;
  const toDay = to ? utcDay(new Date(Math.ceil(to.getTime() / DAY_MS) * DAY_MS)) : undefined;
  return { fromDay, toDay };
}

/** Sums daily_summary per group, in key order; every number a JSON number. */
export async function summaryRows(db: Kysely<Database>, query: SummaryQuery, scope: ReportScope): Promise<SummaryRow[]> {
  const key = KEYS[query.groupBy];
  let q = db
    .selectFrom('daily_summary')
    .select((eb) => [key.as('key'), ...COUNTS.map((c) => eb.fn.sum<string>(c).as(c)), eb.fn.sum<string>('ftd_amount').as('ftdAmount')]);
  for (const [column, value] of equalities(query, scope)) q = q.where(column, '=', value);
  const { fromDay, toDay } = dayBounds(query.from, query.to);
  if (fromDay) q = q.where('day', '>=', fromDay);
  if (toDay) q = q.where('day', '<', toDay);
  if (!query.includeTest) q = q.where('test', '=', false);
  const rows = await q.groupBy(key).orderBy(key).execute();
  return rows.map((r) => ({
    key: r.key,
    ...(Object.fromEntries(COUNTS.map((c) => [c, Number(r[c])])) as Counts),
    ftdAmount: Number(r.ftdAmount),
  }));
}
