import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/db/schema.js';

export interface LeadLogShape {
  leads: number;
  /** Leads get an outcome event after their LeadReceived (delivered, or now and then rejected). */
  outcomes: boolean;
  affiliates: number;
  /** received_at spreads evenly over this many days up to now. */
  days: number;
}

export const DATASET_AFFILIATES = 20;
const CHUNK = 200_000;

/**
 * Writes a lead log straight into `events` with INSERT … SELECT generate_series, the way
 * intake and delivery would have written it (same JSON shapes, stream ids and versions),
 * hundreds of thousands of events per second instead of hours of load. Leads interleave in
 * blocks of 50, each block's outcomes following its receipts, as concurrent intake produces.
 * Returns the number of events written.
 */
export async function writeLeadLog(db: Kysely<Database>, shape: LeadLogShape): Promise<number> {
  const perLead = shape.outcomes ? 2 : 1;
  const total = shape.leads * perLead;
  const spanSeconds = shape.days * 86_400;
  const start = new Date(Date.now() - spanSeconds * 1000).toISOString();
  for (let from = 0; from < total; from += CHUNK) {
    const to = Math.min(total, from + CHUNK) - 1;
    await sql`
      with s as (
        select i,
          case when ${perLead}::int = 2 then (i / 100) * 50 + (i % 50) else i end as n,
          ${perLead}::int = 2 and (i % 100) >= 50 as outcome
        from generate_series(${from}::bigint, ${to}::bigint) as i
      ), l as (
        select s.*, 'ld_bench' || lpad(n::text, 10, '0') as lead_id, n % ${shape.affiliates}::int as aff,
          (array['PT','DE','ES','IT','FR','PL'])[1 + n % 6] as country,
          ${start}::timestamptz + make_interval(secs => (n::float8 * ${spanSeconds}::float8 / ${shape.leads}::float8)) as at
        from s
      )
      insert into events (stream_id, stream_version, type, data, metadata, created_at)
      select
        'lead-' || lead_id,
        case when outcome then 2 else 1 end,
        case when not outcome then 'LeadReceived' when n % 10 = 9 then 'LeadRejected' else 'LeadDelivered' end,
        case
          when not outcome then jsonb_build_object(
            'leadId', lead_id, 'affiliateId', 'af_bench' || aff, 'campaignId', 'c_bench' || aff,
            'productId', 'p_bench' || (aff % 4), 'integrationId', 'in_bench' || (aff % 4), 'apiIntegrationId', 'ai_bench' || aff,
            'test', false,
            'lead', jsonb_build_object(
              'email', 'lead.' || n || '@example.com', 'firstName', 'Ana', 'lastName', 'Silva', 'country', country,
              'phone', '+351912' || lpad((n % 1000000)::text, 6, '0'), 'language', 'pt', 'ip', '203.0.113.7',
              'clickId', 'clk-' || n, 'sub1', 'spring-promo', 'sub2', 'banner-728x90', 'sub3', 'src-' || (n % 17),
              'utm_source', 'affiliate', 'utm_medium', 'cpa', 'utm_campaign', 'q2-forex'))
          when n % 10 = 9 then jsonb_build_object(
            'leadId', lead_id, 'attempt', 1, 'code', 'crm.rejected', 'error', 'Email already registered',
            'http', jsonb_build_object(
              'request', jsonb_build_object('method', 'POST', 'url', 'https://crm.example/api/leads', 'headers', jsonb_build_object('X-Api-Key', '••••'),
                'body', '{"first_name":"Ana","last_name":"Silva","email":"lead.' || n || '@example.com","country":"' || country || '"}'),
              'response', jsonb_build_object('status', 200, 'body', '{"status":"error","message":"Email already registered"}'),
              'durationMs', 40))
          else jsonb_build_object(
            'leadId', lead_id, 'attempt', 1, 'externalId', 'cust-' || n, 'autoLoginUrl', 'https://crm.example/login/' || n,
            'http', jsonb_build_object(
              'request', jsonb_build_object('method', 'POST', 'url', 'https://crm.example/api/leads', 'headers', jsonb_build_object('X-Api-Key', '••••'),
                'body', '{"first_name":"Ana","last_name":"Silva","email":"lead.' || n || '@example.com","country":"' || country || '"}'),
              'response', jsonb_build_object('status', 200, 'body', '{"status":"ok","data":{"login_url":"https://crm.example/login/' || n || '","customer_id":"cust-' || n || '"}}'),
              'durationMs', 40))
        end,
        jsonb_build_object('requestId', md5(i::text),
          'actor', case when outcome then jsonb_build_object('kind', 'system', 'id', 'delivery') else jsonb_build_object('kind', 'affiliate', 'id', 'af_bench' || aff) end,
          'sourceIp', '127.0.0.1'),
        at + case when outcome then interval '40 milliseconds' else interval '0' end
      from l
    `.execute(db);
  }
  await sql`analyze events`.execute(db);
  return total;
}

/** The first and last day of the log, and a 30-day window inside it that the report queries use. */
export function reportWindow(days: number, offsetDays = 0): { from: Date; to: Date } {
  const to = new Date(Date.now() - offsetDays * 86_400_000);
  to.setUTCHours(0, 0, 0, 0);
  const from = new Date(to.getTime() - 30 * 86_400_000);
  if (offsetDays + 30 > days) throw new Error('window outside the log');
  return { from, to };
}

/**
 * The leads report as replaying `writeLeadLog(shape with outcomes)` would leave it, written
 * directly: the same leads, affiliates, times and statuses, at bulk-insert speed.
 */
export async function writeLeadsReport(db: Kysely<Database>, shape: Omit<LeadLogShape, 'outcomes'>): Promise<void> {
  const spanSeconds = shape.days * 86_400;
  const start = new Date(Date.now() - spanSeconds * 1000).toISOString();
  for (let from = 0; from < shape.leads; from += CHUNK) {
    const to = Math.min(shape.leads, from + CHUNK) - 1;
    await sql`
      insert into leads_report (lead_id, received_at, affiliate_id, campaign_id, product_id, integration_id, country, email,
        first_name, last_name, phone, click_id, sub1, sub2, sub3, status, code, error, auto_login_url, external_id, test, updated_at)
      select 'ld_bench' || lpad(n::text, 10, '0'), at, 'af_bench' || aff, 'c_bench' || aff, 'p_bench' || (aff % 4), 'in_bench' || (aff % 4),
        (array['PT','DE','ES','IT','FR','PL'])[1 + n % 6], 'lead.' || n || '@example.com', 'Ana', 'Silva',
        '+351912' || lpad((n % 1000000)::text, 6, '0'), 'clk-' || n, 'spring-promo', 'banner-728x90', 'src-' || (n % 17),
        case when n % 10 = 9 then 'rejected' else 'delivered' end,
        case when n % 10 = 9 then 'crm.rejected' end,
        case when n % 10 = 9 then 'Email already registered' end,
        case when n % 10 <> 9 then 'https://crm.example/login/' || n end,
        case when n % 10 <> 9 then 'cust-' || n end,
        false, at + interval '40 milliseconds'
      from (
        select n, n % ${shape.affiliates}::int as aff,
          ${start}::timestamptz + make_interval(secs => (n::float8 * ${spanSeconds}::float8 / ${shape.leads}::float8)) as at
        from generate_series(${from}::bigint, ${to}::bigint) as n
      ) s
    `.execute(db);
  }
  await sql`analyze leads_report`.execute(db);
}
