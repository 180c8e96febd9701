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
  // One pass over the outcome events (only the fields the row needs, so the grouping stays
  // small), one over the received and refused requests. With a final outcome, code and error
  // come from the last one (a failed attempt made while pending has a lower version than any
  // final); without, from the last failed attempt. Likewise updated_at: the last final or
  // conversion, or without a final, the last failed attempt or conversion.
  await sql`
    with later as (
      select data->>'leadId' as lead_id, stream_version as v, type, created_at,
        data->>'code' as code, data->>'error' as error, data->>'autoLoginUrl' as auto_login_url, data->>'externalId' as external_id,
        data->>'event' as conversion, data->>'occurredAt' as occurred_at, data->>'amount' as amount, data->>'currency' as currency
      from events
      where ${bound} and type in ('LeadDelivered', 'LeadRejected', 'DeliveryAttemptFailed', 'LeadDeliveryFailed', 'LeadConverted')
    ),
    folded as (
      select l.lead_id,
        coalesce(
          max(${at(sql`l.type`, sql`l.code`, sql`l.error`)}) filter (where l.type in ${FINALS}),
          max(${at(sql`l.type`, sql`l.code`, sql`l.error`)}) filter (where l.type = 'DeliveryAttemptFailed')
        ) as code,
        max(${at(sql`l.auto_login_url`, sql`l.external_id`)}) filter (where l.type = 'LeadDelivered') as delivered,
        min(${isoAsJsDate(sql`l.occurred_at`)}) filter (where l.type = 'LeadConverted' and l.conversion in ('signup', 'ftd')) as signup_at,
        min(${at(sql`l.occurred_at`, sql`l.amount`, sql`l.currency`)}) filter (where l.type = 'LeadConverted' and l.conversion = 'ftd') as ftd,
        case when count(*) filter (where l.type in ${FINALS}) > 0
          then max(${at(sql`l.created_at::text`)}) filter (where l.type in ${FINALS} or (l.type = 'LeadConverted' and l.conversion in ('signup', 'ftd')))
          else max(${at(sql`l.created_at::text`)}) filter (where l.type = 'DeliveryAttemptFailed' or (l.type = 'LeadConverted' and l.conversion in ('signup', 'ftd')))
        end as last
      from later l
      group by l.lead_id
    )
    insert into leads_report (${sql.join(COLUMNS.map((c) => sql.id(c)))})
    select case when e.type = 'LeadReceived' then e.data->>'leadId' else e.data->>'refusalId' end,
      ${asJsDate(sql`e.created_at`)}, e.data->>'affiliateId', e.data->>'campaignId', e.data->>'productId',
      case when e.type = 'LeadReceived' then e.data->>'integrationId' end,
      ${sql.join(leadColumns(sql`e.data->'lead'`))},
      case when e.type = 'LeadRefused' then case when e.data->>'code' = 'duplicate' then 'duplicate' else 'refused' end
        else case f.code[2] when 'LeadDelivered' then 'delivered' when 'LeadRejected' then 'rejected' when 'LeadDeliveryFailed' then 'failed' else 'pending' end
      end,
      case when e.type = 'LeadRefused' then e.data->>'code' when f.code[2] = 'LeadDelivered' then null else f.code[3] end,
      case when e.type = 'LeadRefused' then e.data->>'error' when f.code[2] = 'LeadDelivered' then null else f.code[4] end,
      f.delivered[2],
      f.delivered[3],
      f.signup_at,
      ${isoAsJsDate(sql`f.ftd[2]`)},
      f.ftd[3]::numeric,
      f.ftd[4],
      (e.data->>'test')::boolean,
      ${asJsDate(sql`coalesce(f.last[2]::timestamptz, e.created_at)`)}
    from events e left join folded f on e.type = 'LeadReceived' and f.lead_id = e.data->>'leadId'
    where ${bound} and e.type in ('LeadReceived', 'LeadRefused')`.execute(trx);
}
