import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database, DailySummaryLeadsTable, DailySummaryTable } from '../db/schema.js';
import type { EventType, StoredEvent } from '../events/events.js';
import type { AsyncProjection } from './asyncProjection.js';

type LeadState = DailySummaryLeadsTable;
type Key = Pick<DailySummaryTable, 'day' | 'affiliate_id' | 'campaign_id' | 'product_id' | 'country' | 'test'>;

export const COUNTS = ['leads', 'delivered', 'rejected', 'failed', 'pending', 'duplicates', 'refused', 'signups', 'ftds'] as const;
export type Counts = Record<(typeof COUNTS)[number], number>;

/** What one event changes in one key's row: counts to add (or take away), FTD amounts to add. */
export interface Delta {
  key: Key;
  counts: Partial<Counts>;
  ftdAmount?: string;
}

const handles = [
  'LeadReceived',
  'LeadRefused',
  'LeadDelivered',
  'LeadRejected',
  'LeadDeliveryFailed',
  'LeadConverted',
] as const satisfies readonly EventType[];

const KEY_COLUMNS = ['day', 'affiliate_id', 'campaign_id', 'product_id', 'country', 'test'] as const;

/** The UTC calendar day of a time, as the aggregates key it. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function keyOf(lead: LeadState): Key {
  return { day: lead.day, affiliate_id: lead.affiliate_id, campaign_id: lead.campaign_id, product_id: lead.product_id, country: lead.country, test: lead.test };
}

/**
 * One lead's state after one more event. It follows leadsReport's `evolve` exactly: the
 * latest outcome is the status; a sign-up counts once; an FTD implies a sign-up, and only the
 * first FTD counts. Returns the same object when nothing changed.
 */
export function evolveLead(lead: LeadState | undefined, event: StoredEvent): LeadState | undefined {
  if (event.type === 'LeadReceived') {
    const d = event.data;
    return {
      lead_id: d.leadId,
      day: utcDay(event.createdAt),
      affiliate_id: d.affiliateId,
      campaign_id: d.campaignId,
      product_id: d.productId,
      country: d.lead.country.toUpperCase(),
      test: d.test,
      status: 'pending',
      signed_up: false,
      ftd: false,
    };
  }
  if (!lead) return lead;
  const moveTo = (status: LeadState['status']) => (lead.status === status ? lead : { ...lead, status });
  switch (event.type) {
    case 'LeadDelivered':
      return moveTo('delivered');
    case 'LeadRejected':
      return moveTo('rejected');
    case 'LeadDeliveryFailed':
      return moveTo('failed');
    case 'LeadConverted':
      if (event.data.event === 'signup') return lead.signed_up ? lead : { ...lead, signed_up: true };
      // An FTD always set signed_up with it, so a second FTD changes nothing.
      if (event.data.event === 'ftd') return lead.ftd ? lead : { ...lead, signed_up: true, ftd: true };
      return lead;
    default:
      return lead;
  }
}

function countsOf(lead: LeadState | undefined): Counts {
  const counts: Counts = { leads: 0, delivered: 0, rejected: 0, failed: 0, pending: 0, duplicates: 0, refused: 0, signups: 0, ftds: 0 };
  if (!lead) return counts;
  counts.leads = 1;
  counts[lead.status] = 1;
  counts.signups = lead.signed_up ? 1 : 0;
  counts.ftds = lead.ftd ? 1 : 0;
  return counts;
}

/** The change an event makes to the aggregates, given the lead's state before and after it. */
export function deltaOf(before: LeadState | undefined, after: LeadState | undefined, event: StoredEvent): Delta | undefined {
  if (event.type === 'LeadRefused') {
    const d = event.data;
    const key: Key = {
      day: utcDay(event.createdAt),
      affiliate_id: d.affiliateId,
      campaign_id: d.campaignId ?? '',
      product_id: d.productId ?? '',
      country: d.lead.country?.toUpperCase() ?? '',
      test: d.test,
    };
    return { key, counts: d.code === 'duplicate' ? { duplicates: 1 } : { refused: 1 } };
  }
  if (!after || after === before) return undefined;
  const was = countsOf(before);
  const now = countsOf(after);
  const counts = Object.fromEntries(COUNTS.map((c) => [c, now[c] - was[c]]).filter(([, n]) => n !== 0)) as Partial<Counts>;
  const firstFtd = event.type === 'LeadConverted' && after.ftd && !before?.ftd;
  return { key: keyOf(after), counts, ftdAmount: firstFtd ? event.data.amount : undefined };
}

interface Accumulated {
  key: Key;
  counts: Counts;
  ftdAmounts: string[];
}

function accumulate(into: Map<string, Accumulated>, delta: Delta): void {
  const id = JSON.stringify(KEY_COLUMNS.map((c) => delta.key[c]));
  let acc = into.get(id);
  if (!acc) {
    acc = { key: delta.key, counts: countsOf(undefined), ftdAmounts: [] };
    into.set(id, acc);
  }
  for (const c of COUNTS) acc.counts[c] += delta.counts[c] ?? 0;
  if (delta.ftdAmount !== undefined) acc.ftdAmounts.push(delta.ftdAmount);
}

/** Amounts are added by PostgreSQL's numeric, never by floating point. */
function amountSum(amounts: string[]): RawBuilder<string> {
  if (amounts.length === 0) return sql<string>`0::numeric`;
  return sql<string>`(${sql.join(amounts.map((a) => sql`${a}::numeric`), sql` + `)})`;
}

function leadIdOf(event: StoredEvent): string | undefined {
  return event.type !== 'LeadRefused' && 'leadId' in event.data ? event.data.leadId : undefined;
}

const CHUNK = 500;

/**
 * Daily aggregates for the summary report. Later events name only the lead, so the projection
 * keeps each accepted lead's key and state in daily_summary_leads and turns every change into
 * deltas on its day's row: a lead leaves `pending` when its outcome arrives. A batch loads the
 * lead states it touches once, folds in memory, and writes each touched state and row once.
 */
export const dailySummary: AsyncProjection = {
  name: 'daily_summary',
  handles,
  tables: ['daily_summary', 'daily_summary_leads'],
  async apply(trx: Transaction<Database>, events: StoredEvent[]) {
    const ids = [...new Set(events.map(leadIdOf).filter((id): id is string => id !== undefined))];
    const existing = ids.length === 0 ? [] : await trx.selectFrom('daily_summary_leads').selectAll().where('lead_id', 'in', ids).execute();
    const leads = new Map<string, LeadState | undefined>(existing.map((l) => [l.lead_id, l]));
    const touched = new Set<string>();
    const deltas = new Map<string, Accumulated>();
    for (const event of events) {
      const id = leadIdOf(event);
      const before = id === undefined ? undefined : leads.get(id);
      const after = id === undefined ? undefined : evolveLead(before, event);
      const delta = deltaOf(before, after, event);
      if (delta) accumulate(deltas, delta);
      if (id !== undefined && after !== before) {
        leads.set(id, after);
        touched.add(id);
      }
    }

    const states = [...touched].map((id) => leads.get(id)).filter((l): l is LeadState => l !== undefined);
    if (states.length > 0) {
      // The states travel as one JSON document that PostgreSQL turns back into typed rows, as
      // the leads report's rows do: Kysely took milliseconds to build and compile a VALUES list
      // of ten parameters a lead for a batch of hundreds, holding up the event loop's requests.
      await sql`insert into daily_summary_leads
        select * from jsonb_populate_recordset(null::daily_summary_leads, ${JSON.stringify(states)}::jsonb)
        on conflict (lead_id) do update set status = excluded.status, signed_up = excluded.signed_up, ftd = excluded.ftd`.execute(trx);
    }

    const rows = [...deltas.values()].filter((d) => d.ftdAmounts.length > 0 || COUNTS.some((c) => d.counts[c] !== 0));
    for (let i = 0; i < rows.length; i += CHUNK) {
      const values = rows.slice(i, i + CHUNK).map((d) => ({ ...d.key, ...d.counts, ftd_amount: amountSum(d.ftdAmounts) }));
      await trx
        .insertInto('daily_summary')
        .values(values)
        .onConflict((oc) =>
          oc.columns(KEY_COLUMNS).doUpdateSet((eb) => ({
            ...Object.fromEntries(COUNTS.map((c) => [c, eb(eb.ref(`daily_summary.${c}`), '+', eb.ref(`excluded.${c}`))])),
            ftd_amount: eb(eb.ref('daily_summary.ftd_amount'), '+', eb.ref('excluded.ftd_amount')),
          })),
        )
        .execute();
    }
  },
};
