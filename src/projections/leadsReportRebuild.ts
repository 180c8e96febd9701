import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { atOrBefore, type Checkpoint } from '../events/readAllBatch.js';

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
  const bound = atOrBefore(upTo);
  // "The value at the last (first) version" as max (min) over arrays led by the zero-padded
  // version: a plain aggregate in one pass, where ordered aggregates would sort every lead.
  const at = (...values: RawBuilder<unknown>[]) => sql`array[lpad(l.v::text, 10, '0'), ${sql.join(values)}]`;
  // For this transaction only: the planner's guesses for the aggregates are far off and
  // would have JIT compile for about a second, and sorts of a million rows need more than
  // the default 4 MB to stay off disk.
  await sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`.execute(trx);
  await sql`
    with later as not materialized (
      select data->>'leadId' as lead_id, stream_version as v, type, data, created_at from events
      where ${bound} and type in ('LeadDelivered', 'LeadRejected', 'DeliveryAttemptFailed', 'LeadDeliveryFailed', 'LeadConverted')
    ),
    first_final as (
      select lead_id, min(v) as v from later where type in ${FINALS} group by lead_id
    ),
    folded as (
      select l.lead_id,
        max(${at(sql`l.type`)}) filter (where l.type in ${FINALS}) as final,
        max(${at(sql`l.type`, sql`l.data->>'code'`, sql`l.data->>'error'`)})
          filter (where l.type in ${FINALS} or (l.type = 'DeliveryAttemptFailed' and (f.v is null or l.v < f.v))) as code,
        max(${at(sql`l.data->>'autoLoginUrl'`, sql`l.data->>'externalId'`)}) filter (where l.type = 'LeadDelivered') as delivered,
        min(${isoAsJsDate(sql`l.data->>'occurredAt'`)}) filter (where l.type = 'LeadConverted' and l.data->>'event' in ('signup', 'ftd')) as signup_at,
        min(${at(sql`l.data->>'occurredAt'`, sql`l.data->>'amount'`, sql`l.data->>'currency'`)}) filter (where l.type = 'LeadConverted' and l.data->>'event' = 'ftd') as ftd,
        max(${at(sql`l.created_at::text`)}) filter (where l.type in ${FINALS}
          or (l.type = 'DeliveryAttemptFailed' and (f.v is null or l.v < f.v))
          or (l.type = 'LeadConverted' and l.data->>'event' in ('signup', 'ftd'))) as last
      from later l left join first_final f using (lead_id)
      group by l.lead_id
    )
    insert into leads_report (${sql.join(COLUMNS.map((c) => sql.id(c)))})
    select e.data->>'leadId', ${asJsDate(sql`e.created_at`)}, e.data->>'affiliateId', e.data->>'campaignId', e.data->>'productId', e.data->>'integrationId',
      ${sql.join(leadColumns(sql`e.data->'lead'`))},
      case f.final[2] when 'LeadDelivered' then 'delivered' when 'LeadRejected' then 'rejected' when 'LeadDeliveryFailed' then 'failed' else 'pending' end,
      case when f.code[2] = 'LeadDelivered' then null else f.code[3] end,
      case when f.code[2] = 'LeadDelivered' then null else f.code[4] end,
      f.delivered[2],
      f.delivered[3],
      f.signup_at,
      ${isoAsJsDate(sql`f.ftd[2]`)},
      f.ftd[3]::numeric,
      f.ftd[4],
      (e.data->>'test')::boolean,
      ${asJsDate(sql`coalesce(f.last[2]::timestamptz, e.created_at)`)}
    from events e left join folded f on f.lead_id = e.data->>'leadId'
    where ${bound} and e.type = 'LeadReceived'
    union all
    select e.data->>'refusalId', ${asJsDate(sql`e.created_at`)}, e.data->>'affiliateId', e.data->>'campaignId', e.data->>'productId', null,
      ${sql.join(leadColumns(sql`e.data->'lead'`))},
      case when e.data->>'code' = 'duplicate' then 'duplicate' else 'refused' end,
      e.data->>'code', e.data->>'error', null, null, null, null, null, null,
      (e.data->>'test')::boolean,
      ${asJsDate(sql`e.created_at`)}
    from events e
    where ${bound} and e.type = 'LeadRefused'`.execute(trx);
}
