import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Checkpoint } from '../events/readAllBatch.js';

const SUBS = ['sub1', 'sub2', 'sub3', 'sub4', 'sub5', 'sub6', 'sub7', 'sub8', 'sub9', 'sub10'] as const;
const FINALS = sql`('LeadDelivered', 'LeadRejected', 'LeadDeliveryFailed')`;

/**
 * A timestamp as the incremental projection stores it: node-postgres hands it over as a JS
 * Date, whose milliseconds are trunc(1000 × the fraction parsed as a double) (postgres-date);
 * the same arithmetic in float8 gives the same instant, so both paths write identical rows.
 */
function asJsDate(ts: RawBuilder<unknown>): RawBuilder<Date> {
  return sql<Date>`(date_trunc('second', ${ts}) + floor(1000 * ((extract(microseconds from ${ts})::bigint % 1000000)::float8 / 1000000)) * interval '1 millisecond')`;
}

/** An ISO time from an event's data as `new Date(text)` reads it: to the millisecond, the rest cut off. */
const isoAsJsDate = (text: RawBuilder<unknown>) => sql<Date>`date_trunc('milliseconds', (${text})::timestamptz)`;

/** `toUpperCase` for the ASCII letters a country code holds (the fold does the same, so both agree on any input). */
const upperAscii = (text: RawBuilder<unknown>) => sql<string>`translate(${text}, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')`;

/** The columns for what the affiliate sent, from an event's `lead` object. */
function leadColumns(lead: RawBuilder<unknown>): RawBuilder<unknown>[] {
  return [
    upperAscii(sql`${lead}->>'country'`),
    sql`${lead}->>'email'`,
    sql`${lead}->>'firstName'`,
    sql`${lead}->>'lastName'`,
    sql`${lead}->>'phone'`,
    sql`${lead}->>'clickId'`,
    ...SUBS.map((s) => sql`${lead}->>${sql.lit(s)}`),
  ];
}

const COLUMNS = [
  'lead_id',
  'received_at',
  'affiliate_id',
  'campaign_id',
  'product_id',
  'integration_id',
  'country',
  'email',
  'first_name',
  'last_name',
  'phone',
  'click_id',
  ...SUBS,
  'status',
  'code',
  'error',
  'auto_login_url',
  'external_id',
  'signup_at',
  'ftd_at',
  'ftd_amount',
  'ftd_currency',
  'test',
  'updated_at',
] as const;

/**
 * Rebuilds leads_report from every event up to `upTo` (in commit order) in one set-based
 * statement inside PostgreSQL, for replay: no event travels to Node, so a rebuild runs at
 * the speed of a scan. It computes what folding `evolve` over the same events gives (the
 * replay test holds the two to identical rows):
 * - a lead's events share its stream, whose versions are their commit order;
 * - its status is its last final outcome (pending without one); code and error come from the
 *   last of its final outcomes and of the failed attempts made while it was still pending;
 * - the auto-login URL and external id from its last delivery;
 * - signup_at is the earliest signup or FTD; the FTD columns come from its first FTD;
 * - updated_at is the time of the last event that changed the row.
 * Refused requests are one row each, as the fold writes them.
 */
export async function rebuildLeadsReport(trx: Transaction<Database>, upTo: Checkpoint): Promise<void> {
  await sql`
    with scope as (
      select stream_version as v, type, data, created_at from events
      where (transaction_id, global_position) <= (${upTo.transactionId}::xid8, ${upTo.globalPosition}::bigint)
        and type in ('LeadReceived', 'LeadRefused', 'LeadDelivered', 'LeadRejected', 'DeliveryAttemptFailed', 'LeadDeliveryFailed', 'LeadConverted')
    ),
    later as (
      select data->>'leadId' as lead_id, v, type, data, created_at from scope
      where type not in ('LeadReceived', 'LeadRefused')
    ),
    first_final as (
      select lead_id, min(v) as v from later where type in ${FINALS} group by lead_id
    ),
    touching as (
      select l.*, (l.type in ${FINALS} or l.type = 'DeliveryAttemptFailed') as sets_code
      from later l left join first_final f using (lead_id)
      where l.type in ${FINALS}
         or (l.type = 'DeliveryAttemptFailed' and (f.v is null or l.v < f.v))
         or (l.type = 'LeadConverted' and l.data->>'event' in ('signup', 'ftd'))
    ),
    folded as (
      select lead_id,
        (array_agg(type order by v desc) filter (where type in ${FINALS}))[1] as final_type,
        (array_agg(type order by v desc) filter (where sets_code))[1] as code_type,
        (array_agg(data order by v desc) filter (where sets_code))[1] as code_data,
        (array_agg(data order by v desc) filter (where type = 'LeadDelivered'))[1] as delivered,
        min(${isoAsJsDate(sql`data->>'occurredAt'`)}) filter (where type = 'LeadConverted') as signup_at,
        (array_agg(data order by v) filter (where type = 'LeadConverted' and data->>'event' = 'ftd'))[1] as ftd,
        (array_agg(created_at order by v desc))[1] as last_at
      from touching group by lead_id
    )
    insert into leads_report (${sql.join(COLUMNS.map((c) => sql.id(c)))})
    select e.data->>'leadId', ${asJsDate(sql`e.created_at`)}, e.data->>'affiliateId', e.data->>'campaignId', e.data->>'productId', e.data->>'integrationId',
      ${sql.join(leadColumns(sql`e.data->'lead'`))},
      case f.final_type when 'LeadDelivered' then 'delivered' when 'LeadRejected' then 'rejected' when 'LeadDeliveryFailed' then 'failed' else 'pending' end,
      case when f.code_type = 'LeadDelivered' then null else f.code_data->>'code' end,
      case when f.code_type = 'LeadDelivered' then null else f.code_data->>'error' end,
      f.delivered->>'autoLoginUrl',
      f.delivered->>'externalId',
      f.signup_at,
      ${isoAsJsDate(sql`f.ftd->>'occurredAt'`)},
      (f.ftd->>'amount')::numeric,
      f.ftd->>'currency',
      (e.data->>'test')::boolean,
      ${asJsDate(sql`coalesce(f.last_at, e.created_at)`)}
    from scope e left join folded f on f.lead_id = e.data->>'leadId'
    where e.type = 'LeadReceived'
    union all
    select e.data->>'refusalId', ${asJsDate(sql`e.created_at`)}, e.data->>'affiliateId', e.data->>'campaignId', e.data->>'productId', null,
      ${sql.join(leadColumns(sql`e.data->'lead'`))},
      case when e.data->>'code' = 'duplicate' then 'duplicate' else 'refused' end,
      e.data->>'code', e.data->>'error', null, null, null, null, null, null,
      (e.data->>'test')::boolean,
      ${asJsDate(sql`e.created_at`)}
    from scope e
    where e.type = 'LeadRefused'`.execute(trx);
}
