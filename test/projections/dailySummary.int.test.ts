import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.js';
import { EventStore } from '../../src/events/eventStore.js';
import { event, type DomainEvent } from '../../src/events/events.js';
import { dailySummary } from '../../src/projections/dailySummary.js';
import { leadsReport } from '../../src/projections/leadsReport.js';
import { Projector } from '../../src/projections/projector.js';
import { replayProjections } from '../../src/projections/replay.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';

const TOTAL_EVENTS = 6_000;

function received(i: number, leadId: string): DomainEvent {
  return event('LeadReceived', {
    leadId,
    affiliateId: `aff_${i % 4}`,
    campaignId: `c_${i % 6}`,
    productId: `p_${i % 3}`,
    integrationId: 'i_1',
    test: i % 13 === 0,
    lead: { email: `${leadId}@example.com`, firstName: 'Ana', lastName: 'Silva', country: ['PT', 'ES', 'BR'][i % 3]! },
  });
}

function converted(leadId: string, kind: 'signup' | 'ftd', n: string, amount?: string): DomainEvent {
  return event('LeadConverted', { leadId, conversionId: `cv-${n}`, productId: 'p_1', event: kind, amount, transactionId: `t-${n}`, occurredAt: '2026-11-21T10:00:00.000Z' });
}

/** The events of one lead appended now, and those appended with the next chunk (a later batch). */
function lifeOf(i: number, leadId: string): { now: DomainEvent[]; later: DomainEvent[] } {
  const start = [received(i, leadId), event('DeliveryAttemptStarted', { leadId, attempt: 1 })];
  switch (i % 8) {
    case 0:
      return { now: [...start, event('LeadDelivered', { leadId, attempt: 1 })], later: [] };
    case 1:
      return { now: [...start, event('LeadRejected', { leadId, attempt: 1, code: 'crm.rejected', error: 'no' })], later: [] };
    case 2:
      // Still pending when this batch is projected; failed in a later one.
      return {
        now: [...start, event('DeliveryAttemptFailed', { leadId, attempt: 1, code: 'crm.unavailable', error: 'HTTP 503' })],
        later: [event('LeadDeliveryFailed', { leadId, attempts: 3, code: 'crm.unavailable', error: 'HTTP 503' })],
      };
    case 3:
      return { now: start, later: [] };
    case 4:
      // Delivered later, then converted: signup, FTD, a second FTD that does not count.
      return {
        now: start,
        later: [event('LeadDelivered', { leadId, attempt: 1 }), converted(leadId, 'signup', `s${i}`), converted(leadId, 'ftd', `f${i}`, '250.5'), converted(leadId, 'ftd', `g${i}`, '999')],
      };
    case 5:
      // An FTD alone implies the signup.
      return { now: [...start, event('LeadDelivered', { leadId, attempt: 1 }), converted(leadId, 'ftd', `f${i}`, '0.1')], later: [] };
    default:
      // (i % 8 === 6 is a refusal.) Two signups count once.
      return { now: [...start, event('LeadDelivered', { leadId, attempt: 1 }), converted(leadId, 'signup', `s${i}`), converted(leadId, 'signup', `t${i}`)], later: [] };
  }
}

function refusal(i: number): DomainEvent {
  return event('LeadRefused', {
    refusalId: randomUUID(),
    affiliateId: `aff_${i % 4}`,
    code: i % 16 === 6 ? 'duplicate' : 'validation.email',
    error: 'refused',
    campaignId: i % 3 === 0 ? undefined : `c_${i % 6}`,
    productId: i % 3 === 0 ? undefined : `p_${i % 3}`,
    test: false,
    lead: i % 5 === 0 ? {} : { country: 'pt', firstName: 'Ana' },
  });
}

function byKey(db: Kysely<Database>) {
  return db.selectFrom('daily_summary').selectAll().orderBy('day').orderBy('affiliate_id').orderBy('campaign_id').orderBy('product_id').orderBy('country').orderBy('test');
}

async function dump(db: Kysely<Database>): Promise<string> {
  const summary = await byKey(db).execute();
  const leads = await db.selectFrom('daily_summary_leads').selectAll().orderBy('lead_id').execute();
  return JSON.stringify({ summary, leads });
}

/** The aggregates as the leads report's rows add up: two projections built apart must agree. */
async function fromReport(db: Kysely<Database>) {
  const { rows } = await sql<Record<string, unknown>>`
    select to_char(received_at at time zone 'UTC', 'YYYY-MM-DD') as day, affiliate_id, coalesce(campaign_id, '') as campaign_id,
      coalesce(product_id, '') as product_id, coalesce(country, '') as country, test,
      count(*) filter (where status not in ('duplicate', 'refused'))::int as leads,
      count(*) filter (where status = 'delivered')::int as delivered, count(*) filter (where status = 'rejected')::int as rejected,
      count(*) filter (where status = 'failed')::int as failed, count(*) filter (where status = 'pending')::int as pending,
      count(*) filter (where status = 'duplicate')::int as duplicates, count(*) filter (where status = 'refused')::int as refused,
      count(*) filter (where signup_at is not null)::int as signups, count(*) filter (where ftd_at is not null)::int as ftds,
      coalesce(sum(ftd_amount), 0)::text as ftd_amount
    from leads_report group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6`.execute(db);
  return rows.map((r) => ({ ...r, ftd_amount: Number(r.ftd_amount) }));
}

describe.each(DATABASE_KINDS)('the daily summary on %s', (kind) => {
  it('adds up to the leads report, and a replay rebuilds exactly what the incremental build made', async () => {
    const storage = await openTestStorage(kind, 'daily_summary');
    const store = new EventStore(storage.db);
    const projector = new Projector({ db: storage.db, projections: [leadsReport, dailySummary], batchSize: 333 });

    let events = 0;
    let i = 0;
    let deferred: [string, DomainEvent[]][] = [];
    while (events < TOTAL_EVENTS) {
      await storage.db.transaction().execute(async (trx) => {
        for (const [leadId, later] of deferred) await store.append(`lead-${leadId}`, later, { expectedVersion: 'any', trx });
        events += deferred.reduce((n, [, later]) => n + later.length, 0);
        deferred = [];
        for (let n = 0; n < 100; n++, i++) {
          if (i % 8 === 6 || i % 11 === 0) {
            await store.append(`refusal-${i}`, [refusal(i)], { expectedVersion: 'no_stream', trx });
            events += 1;
            continue;
          }
          const leadId = randomUUID();
          const { now, later } = lifeOf(i, leadId);
          await store.append(`lead-${leadId}`, now, { expectedVersion: 'no_stream', trx });
          if (later.length > 0) deferred.push([leadId, later]);
          events += now.length;
        }
        // Spread the chunks over several received days; later events keep their own time.
        const daysAgo = (i / 100) % 4;
        await sql`update events set created_at = created_at - make_interval(days => ${daysAgo}) where type in ('LeadReceived', 'LeadRefused') and created_at = now()`.execute(trx);
      });
      await projector.catchUp();
    }
    await projector.catchUp();

    const incremental = await dump(storage.db);
    const summary = await byKey(storage.db).execute();
    expect(new Set(summary.map((r) => r.day)).size).toBeGreaterThanOrEqual(4);
    const totals = summary.reduce((t, r) => ({ pending: t.pending + r.pending, ftds: t.ftds + r.ftds, duplicates: t.duplicates + r.duplicates, refused: t.refused + r.refused }), { pending: 0, ftds: 0, duplicates: 0, refused: 0 });
    expect(Object.values(totals).every((n) => n > 0)).toBe(true);
    expect(summary.map((r) => ({ ...r, ftd_amount: Number(r.ftd_amount) }))).toEqual(await fromReport(storage.db));

    const [result] = await replayProjections(storage.db, [dailySummary], { batchSize: 500 });
    expect(result).toMatchObject({ projection: 'daily_summary' });
    expect(await dump(storage.db)).toBe(incremental);
  });
});
