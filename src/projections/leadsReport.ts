import { sql, type Selectable, type Transaction } from 'kysely';
import type { Database, LeadsReportTable } from '../db/schema.js';
import type { EventType, StoredEvent } from '../events/events.js';
import type { LeadFields } from '../events/types/lead.js';
import type { AsyncProjection } from './asyncProjection.js';
import { rebuildLeadsReport } from './leadsReportRebuild.js';

type Row = Selectable<LeadsReportTable>;

const SUBS = ['sub1', 'sub2', 'sub3', 'sub4', 'sub5', 'sub6', 'sub7', 'sub8', 'sub9', 'sub10'] as const;

const handles = [
  'LeadReceived',
  'LeadRefused',
  'LeadDelivered',
  'LeadRejected',
  'DeliveryAttemptFailed',
  'LeadDeliveryFailed',
  'LeadConverted',
] as const satisfies readonly EventType[];

function earliest(a: Date | null, b: Date): Date {
  return a && a <= b ? a : b;
}

/** The report's columns for what the affiliate sent (all of it for a lead, what was usable for a refusal). */
function leadColumns(lead: Partial<LeadFields>) {
  const subs = Object.fromEntries(SUBS.map((s) => [s, lead[s] ?? null])) as Record<(typeof SUBS)[number], string | null>;
  return {
    // A refused body was not normalised: its country is upper-cased here so the filter finds
    // it (ASCII letters only, as the set-based rebuild does, so both agree on any input).
    country: lead.country?.replace(/[a-z]+/g, (letters) => letters.toUpperCase()) ?? null,
    email: lead.email ?? null,
    first_name: lead.firstName ?? null,
    last_name: lead.lastName ?? null,
    phone: lead.phone ?? null,
    click_id: lead.clickId ?? null,
    ...subs,
  };
}

/** One lead's report row after one more event: the projection's whole logic, pure. */
export function evolve(row: Row | undefined, event: StoredEvent): Row | undefined {
  const at = event.createdAt;
  if (event.type === 'LeadRefused') {
    // One row per refused request, keyed by its refusal id; nothing ever follows it.
    return {
      lead_id: event.data.refusalId,
      received_at: at,
      affiliate_id: event.data.affiliateId,
      campaign_id: event.data.campaignId ?? null,
      product_id: event.data.productId ?? null,
      integration_id: null,
      ...leadColumns(event.data.lead),
      status: event.data.code === 'duplicate' ? 'duplicate' : 'refused',
      code: event.data.code,
      error: event.data.error,
      auto_login_url: null,
      external_id: null,
      signup_at: null,
      ftd_at: null,
      ftd_amount: null,
      ftd_currency: null,
      test: event.data.test,
      updated_at: at,
    };
  }
  if (event.type === 'LeadReceived') {
    return {
      lead_id: event.data.leadId,
      received_at: at,
      affiliate_id: event.data.affiliateId,
      campaign_id: event.data.campaignId,
      product_id: event.data.productId,
      integration_id: event.data.integrationId,
      ...leadColumns(event.data.lead),
      status: 'pending',
      code: null,
      error: null,
      auto_login_url: null,
      external_id: null,
      signup_at: null,
      ftd_at: null,
      ftd_amount: null,
      ftd_currency: null,
      test: event.data.test,
      updated_at: at,
    };
  }
  if (!row) return row;
  switch (event.type) {
    case 'LeadDelivered':
      return {
        ...row,
        status: 'delivered',
        code: null,
        error: null,
        auto_login_url: event.data.autoLoginUrl ?? null,
        external_id: event.data.externalId ?? null,
        updated_at: at,
      };
    case 'LeadRejected':
      return { ...row, status: 'rejected', code: event.data.code, error: event.data.error, updated_at: at };
    case 'DeliveryAttemptFailed':
      // Still pending: the reason shows why it has not arrived yet.
      return row.status === 'pending' ? { ...row, code: event.data.code, error: event.data.error, updated_at: at } : row;
    case 'LeadDeliveryFailed':
      return { ...row, status: 'failed', code: event.data.code, error: event.data.error, updated_at: at };
    case 'LeadConverted': {
      const occurred = new Date(event.data.occurredAt);
      if (event.data.event === 'signup') return { ...row, signup_at: earliest(row.signup_at, occurred), updated_at: at };
      if (event.data.event === 'ftd') {
        // An FTD implies a signup; the first FTD is the one that counts.
        if (row.ftd_at) return { ...row, signup_at: earliest(row.signup_at, occurred), updated_at: at };
        return {
          ...row,
          signup_at: earliest(row.signup_at, occurred),
          ftd_at: occurred,
          ftd_amount: event.data.amount ?? null,
          ftd_currency: event.data.currency ?? null,
          updated_at: at,
        };
      }
      return row;
    }
    default:
      return row;
  }
}

/** The row an event is about: its lead, or (for a refusal) the refused request. */
function leadIdOf(event: StoredEvent): string | undefined {
  if (event.type === 'LeadRefused') return event.data.refusalId;
  return 'leadId' in event.data ? event.data.leadId : undefined;
}

/**
 * The Leads via API report: one row a lead, and one a refused request. A batch loads the rows it touches once, folds
 * its events in memory and writes each touched row once, so replay runs at bulk speed.
 */
export const leadsReport: AsyncProjection = {
  name: 'leads_report',
  handles,
  tables: ['leads_report'],
  rebuild: rebuildLeadsReport,
  async apply(trx: Transaction<Database>, events: StoredEvent[]) {
    // Only rows this batch does not create need loading: in a replay most leads' events
    // arrive together, their LeadReceived first. One array parameter, not one a lead.
    const created = new Set<string>();
    const toLoad = new Set<string>();
    for (const event of events) {
      const id = leadIdOf(event);
      if (id === undefined || created.has(id)) continue;
      if (event.type === 'LeadReceived' || event.type === 'LeadRefused') created.add(id);
      else toLoad.add(id);
    }
    if (created.size === 0 && toLoad.size === 0) return;
    const existing = toLoad.size > 0 ? await trx.selectFrom('leads_report').selectAll().where(sql<boolean>`lead_id = any(${[...toLoad]}::text[])`).execute() : [];
    const rows = new Map<string, Row | undefined>(existing.map((r) => [r.lead_id, r]));
    const touched = new Set<string>();
    for (const event of events) {
      const id = leadIdOf(event);
      if (!id) continue;
      const next = evolve(rows.get(id), event);
      if (next !== rows.get(id)) touched.add(id);
      rows.set(id, next);
    }
    const values = [...touched].map((id) => rows.get(id)).filter((r): r is Row => r !== undefined);
    if (values.length === 0) return;
    // The rows travel as one JSON document that PostgreSQL turns back into typed rows
    // (jsonb_populate_recordset): far cheaper to build and to parse than ~30 parameters a row.
    const columns = Object.keys(values[0]!).map((c) => sql.id(c));
    const updates = Object.keys(values[0]!)
      .filter((c) => c !== 'lead_id')
      .map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`);
    await sql`insert into leads_report (${sql.join(columns)})
      select ${sql.join(columns)} from jsonb_populate_recordset(null::leads_report, ${JSON.stringify(values)}::jsonb)
      on conflict (lead_id) do update set ${sql.join(updates)}`.execute(trx);
  },
};
