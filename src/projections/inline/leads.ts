import { sql, type Insertable, type RawBuilder, type UpdateObject } from 'kysely';
import type { Database, LeadsTable } from '../../db/schema.js';
import type { InlineProjection, PendingEvent } from '../../events/eventStore.js';
import type { EventData, StoredEvent } from '../../events/events.js';
import { LEAD_OUTCOMES } from '../../events/types/lead.js';

type LeadReceived = StoredEvent & { type: 'LeadReceived' };

/** The consecutive LeadReceived events from `start`: new leads are independent rows, so one insert takes them all. */
function receivedRun(events: StoredEvent[], start: number): LeadReceived[] {
  const run: LeadReceived[] = [];
  for (let i = start; i < events.length && events[i]!.type === 'LeadReceived'; i++) run.push(events[i] as LeadReceived);
  return run;
}

/** The columns a new lead's row takes from its LeadReceived (the rest: pending, its time, version 1). */
function fromReceived(d: EventData<'LeadReceived'>) {
  return {
    lead_id: d.leadId,
    affiliate_id: d.affiliateId,
    campaign_id: d.campaignId,
    product_id: d.productId,
    integration_id: d.integrationId,
    api_integration_id: d.apiIntegrationId ?? null,
    email_norm: d.lead.email.toLowerCase(),
    phone_norm: d.lead.phone ?? null,
    click_id: d.lead.clickId ?? null,
    test: d.test,
  };
}

function leadRow(e: LeadReceived): Insertable<LeadsTable> {
  return { ...fromReceived(e.data), status: 'pending', received_at: e.createdAt, stream_version: e.streamVersion, updated_at: e.createdAt };
}

/** When an event happened: its stored time, or `now()` inside the statement that appends it (the same instant). */
type At = Date | RawBuilder<Date>;

function later(at: At, ms: number): Date | RawBuilder<Date> {
  return at instanceof Date ? new Date(at.getTime() + ms) : sql<Date>`${at} + ${ms} * interval '1 millisecond'`;
}

const FINAL = new Set<string>(LEAD_OUTCOMES);
const DELIVERY_EVENTS = ['DeliveryAttemptStarted', 'LeadDelivered', 'LeadRejected', 'DeliveryAttemptFailed', 'LeadDeliveryFailed'] as const;

/** Event types as a SQL list of literals: the statement's text stays the same for every batch. */
const typeList = (types: Iterable<string>) => sql.join([...types].map((t) => sql.lit(t)));

/** What a delivery event changes in its lead's row; undefined for events this projection does not handle. */
function leadChange(e: PendingEvent, at: At): UpdateObject<Database, 'leads'> | undefined {
  const common = { stream_version: e.streamVersion, updated_at: at };
  switch (e.type) {
    case 'DeliveryAttemptStarted':
      return { attempts: e.data.attempt, last_attempt_started_at: at, next_attempt_at: null, ...common };
    case 'LeadDelivered':
      return { status: 'delivered', code: null, error: null, auto_login_url: e.data.autoLoginUrl ?? null, external_id: e.data.externalId ?? null, ...common };
    case 'LeadRejected':
      return { status: 'rejected', code: e.data.code, error: e.data.error, ...common };
    case 'DeliveryAttemptFailed':
      return { code: e.data.code, error: e.data.error, next_attempt_at: e.data.retryInMs === undefined ? null : later(at, e.data.retryInMs), ...common };
    case 'LeadDeliveryFailed':
      return { status: 'failed', code: e.data.code, error: e.data.error, ...common };
    default:
      return undefined;
  }
}

const leadIdOf = (e: PendingEvent): string => (e.data as { leadId: string }).leadId;

/**
 * Each lead's live state, in the append's transaction: what duplicate checks, daily caps,
 * the status endpoint, the waiting intake request and the sweeper read. A final outcome also
 * drops the lead's sealed password: it is kept only until delivery ends.
 */
export const leadsProjection: InlineProjection = {
  name: 'leads',
  handles: ['LeadReceived', ...DELIVERY_EVENTS],
  async apply(trx, events) {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.type === 'LeadReceived') {
        // A batch of new leads (group commit) is inserted at once.
        const run = receivedRun(events, i);
        await trx.insertInto('leads').values(run.map(leadRow)).execute();
        i += run.length - 1;
        continue;
      }
      const change = leadChange(e, e.createdAt);
      if (change) await trx.updateTable('leads').set(change).where('lead_id', '=', leadIdOf(e)).execute();
      if (FINAL.has(e.type)) await trx.deleteFrom('lead_passwords').where('lead_id', '=', leadIdOf(e)).execute();
    }
  },
  writesForNewStreams(db, events) {
    if (!events.every((e): e is PendingEvent & { type: 'LeadReceived' } => e.type === 'LeadReceived')) return undefined;
    // The rows as one JSON parameter: the same statement text for every batch. now(): the
    // transaction's time, which the events' created_at defaults to as well.
    const rows = events.map((e) => fromReceived(e.data));
    return [
      sql`insert into leads (lead_id, affiliate_id, campaign_id, product_id, integration_id, api_integration_id, email_norm, phone_norm, click_id, test, status, received_at, stream_version, updated_at)
        select v.*, 'pending', now(), 1, now()
        from json_to_recordset(${JSON.stringify(rows)}::json)
          as v (lead_id text, affiliate_id text, campaign_id text, product_id text, integration_id text, api_integration_id text, email_norm text, phone_norm text, click_id text, test boolean)`,
    ];
  },
  /** leadChange and the password drop, as SQL over the appended delivery events (one per lead). */
  writesForAppended() {
    return [
      sql`update leads l set
          stream_version = a.stream_version,
          updated_at = a.created_at,
          attempts = case when a.type = 'DeliveryAttemptStarted' then (a.data->>'attempt')::integer else l.attempts end,
          last_attempt_started_at = case when a.type = 'DeliveryAttemptStarted' then a.created_at else l.last_attempt_started_at end,
          next_attempt_at = case a.type
            when 'DeliveryAttemptStarted' then null
            when 'DeliveryAttemptFailed' then a.created_at + (a.data->>'retryInMs')::bigint * interval '1 millisecond'
            else l.next_attempt_at end,
          status = case a.type when 'LeadDelivered' then 'delivered' when 'LeadRejected' then 'rejected' when 'LeadDeliveryFailed' then 'failed' else l.status end,
          code = case a.type when 'DeliveryAttemptStarted' then l.code when 'LeadDelivered' then null else a.data->>'code' end,
          error = case a.type when 'DeliveryAttemptStarted' then l.error when 'LeadDelivered' then null else a.data->>'error' end,
          auto_login_url = case when a.type = 'LeadDelivered' then a.data->>'autoLoginUrl' else l.auto_login_url end,
          external_id = case when a.type = 'LeadDelivered' then a.data->>'externalId' else l.external_id end
        from appended a
        where l.lead_id = a.data->>'leadId'
          and a.type in (${typeList(DELIVERY_EVENTS)})`,
      sql`delete from lead_passwords p using appended a where p.lead_id = a.data->>'leadId' and a.type in (${typeList(FINAL)})`,
    ];
  },
  writesFor(db, e, appended) {
    const change = leadChange(e, sql<Date>`now()`);
    if (!change) return undefined;
    const update = db.updateTable('leads').set(change).where('lead_id', '=', leadIdOf(e)).where(appended);
    return FINAL.has(e.type) ? [update, db.deleteFrom('lead_passwords').where('lead_id', '=', leadIdOf(e)).where(appended)] : [update];
  },
};
