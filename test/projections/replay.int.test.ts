import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.js';
import { EventStore } from '../../src/events/eventStore.js';
import { event, type DomainEvent } from '../../src/events/events.js';
import { leadsReport } from '../../src/projections/leadsReport.js';
import { Projector } from '../../src/projections/projector.js';
import { replayProjections, resetProjection, type ReplayProgress } from '../../src/projections/replay.js';
import { sql } from 'kysely';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';
import { leadReceived } from '../support/events.js';

const converted = (leadId: string, i: number, kind: 'signup' | 'ftd' | 'deposit', occurredAt: string, amount?: string): DomainEvent =>
  event('LeadConverted', { leadId, conversionId: `cv-${kind}-${i}-${occurredAt}`, productId: 'p_1', event: kind, amount, currency: amount ? 'EUR' : undefined, transactionId: `${kind}-${i}-${occurredAt}`, occurredAt });

/**
 * A lead's whole life, varied by its index: delivered, rejected, retried then failed,
 * converted (in any order, with odd time formats), still retrying; every tenth index is a
 * refused request instead (its stream `refusal-…`), with a country as the affiliate typed it.
 */
function lifeOf(i: number, leadId: string): DomainEvent[] {
  if (i % 10 === 9) {
    const countries = ['pt', 'Br', 'ßx', undefined];
    return [
      event('LeadRefused', {
        refusalId: leadId,
        affiliateId: `aff_${i % 7}`,
        code: i % 20 === 9 ? 'duplicate' : 'validation',
        error: 'email: must be an email address',
        campaignId: i % 3 === 0 ? undefined : 'c_1',
        test: false,
        lead: { email: 'not-an-email', firstName: 'Zé', country: countries[i % 4] },
      }),
    ];
  }
  const received = leadReceived({ leadId, affiliateId: `aff_${i % 7}`, test: i % 13 === 0 });
  const attempt = (n: number) => event('DeliveryAttemptStarted', { leadId, attempt: n });
  const failed = (n: number, code: 'crm.unavailable' | 'crm.timeout', retryInMs?: number) =>
    event('DeliveryAttemptFailed', { leadId, attempt: n, code, error: `attempt ${n}: ${code}`, retryInMs });
  switch (i % 10) {
    case 0:
      return [received, attempt(1), event('LeadDelivered', { leadId, attempt: 1, externalId: `crm-${i}`, autoLoginUrl: `https://crm.example/login/${i}` })];
    case 1:
      return [received, attempt(1), event('LeadRejected', { leadId, attempt: 1, code: 'crm.rejected', error: 'Email already registered' })];
    case 2:
      return [received, attempt(1), failed(1, 'crm.unavailable', 1000), event('LeadDeliveryFailed', { leadId, attempts: 1, code: 'crm.unavailable', error: 'HTTP 503' })];
    case 3:
      return [received, attempt(1), failed(1, 'crm.timeout')];
    case 4:
      return [
        received,
        attempt(1),
        event('LeadDelivered', { leadId, attempt: 1 }),
        converted(leadId, i, 'signup', '2026-11-20T10:00:00.000Z'),
        converted(leadId, i, 'ftd', '2026-11-21T10:00:00.000Z', '250.5'),
      ];
    case 5:
      // Retried, then delivered: the failure's code is cleared.
      return [received, attempt(1), failed(1, 'crm.unavailable', 500), attempt(2), failed(2, 'crm.timeout', 900), attempt(3), event('LeadDelivered', { leadId, attempt: 3, externalId: `x-${i}` })];
    case 6:
      // Converted before its delivery was recorded (the CRM answered late), two FTDs, the later
      // one earlier in time, a deposit, and times with microseconds and an offset.
      return [
        received,
        attempt(1),
        converted(leadId, i, 'ftd', '2026-11-22T12:30:00.123456+02:00', '99.99'),
        converted(leadId, i, 'deposit', '2026-11-23T08:00:00Z', '10'),
        converted(leadId, i, 'ftd', '2026-11-22T09:15:42.987654Z', '500'),
        event('LeadDelivered', { leadId, attempt: 1, autoLoginUrl: `https://crm.example/late/${i}` }),
      ];
    case 7:
      // A failure after the lead was rejected leaves the rejection's code (not pending any more).
      return [received, attempt(1), event('LeadRejected', { leadId, attempt: 1, code: 'crm.rejected', error: 'no' }), failed(2, 'crm.timeout')];
    default:
      return [received, converted(leadId, i, 'deposit', '2026-11-24T00:00:00.5Z', '1'), converted(leadId, i, 'signup', '2026-11-24T00:00:01.0009Z')];
  }
}

const streamOf = (life: DomainEvent[], id: string) => (life[0]!.type === 'LeadRefused' ? `refusal-${id}` : `lead-${id}`);

async function dump(db: Kysely<Database>): Promise<string> {
  const rows = await db.selectFrom('leads_report').selectAll().orderBy('lead_id').execute();
  return JSON.stringify(rows);
}

describe.each(DATABASE_KINDS)('replaying the leads report on %s', (kind) => {
  it('rebuilds 10,000 events into exactly the rows the incremental build made', async () => {
    const storage = await openTestStorage(kind, 'replay');
    const store = new EventStore(storage.db);
    const projector = new Projector({ db: storage.db, projections: [leadsReport], batchSize: 333 });

    let events = 0;
    let i = 0;
    while (events < 10_000) {
      // Append in chunks and project between them, as a live system would.
      await storage.db.transaction().execute(async (trx) => {
        for (let n = 0; n < 100 && events < 10_000; n++, i++) {
          const leadId = randomUUID();
          const life = lifeOf(i, leadId).slice(0, 10_000 - events);
          await store.append(streamOf(life, leadId), life, { expectedVersion: 'no_stream', trx });
          events += life.length;
        }
      });
      if (i % 500 === 0) await projector.catchUp();
    }
    await projector.catchUp();
    const incremental = await dump(storage.db);
    const rows = JSON.parse(incremental) as { status: string; ftd_amount: string | null }[];
    expect(rows.length).toBe(i);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['delivered', 'rejected', 'failed', 'pending', 'refused', 'duplicate']));
    expect(rows.filter((r) => r.ftd_amount !== null).length).toBeGreaterThan(0);

    const progress: ReplayProgress[] = [];
    const [result] = await replayProjections(storage.db, [leadsReport], { onProgress: (p) => progress.push({ ...p }) });
    expect(result).toMatchObject({ projection: 'leads_report', done: 10_000, total: 10_000 });
    // The SQL rebuild took the whole log in one step (nothing was left for batches).
    expect(progress.map((p) => p.done)).toEqual([0, 10_000, 10_000]);
    expect(await dump(storage.db)).toBe(incremental);
  });

  it('builds the report without its secondary indexes and restores them, even after a replay that died half-way', async () => {
    const storage = await openTestStorage(kind, 'replay_indexes');
    const indexes = async () =>
      (await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where tablename = 'leads_report' order by indexname`.execute(storage.db)).rows;
    const before = await indexes();
    expect(before.length).toBeGreaterThanOrEqual(7);
    const store = new EventStore(storage.db);
    for (let i = 0; i < 50; i++) {
      const life = lifeOf(i, `lead_${i}`);
      await store.append(streamOf(life, `lead_${i}`), life, { expectedVersion: 'no_stream' });
    }

    // A replay that died after its reset: only the primary key is left, the rest is on record.
    await resetProjection(storage.db, leadsReport);
    expect((await indexes()).map((i) => i.indexname)).toEqual(['leads_report_pkey']);
    const saved = await storage.db.selectFrom('projection_checkpoints').select('replay_indexes').where('name', '=', 'leads_report').executeTakeFirstOrThrow();
    expect(saved.replay_indexes).toHaveLength(before.length - 1);

    // The next replay keeps those definitions (there is nothing left to drop) and restores them.
    const [result] = await replayProjections(storage.db, [leadsReport]);
    expect(result!.done).toBeGreaterThan(100);
    expect(await indexes()).toEqual(before);
    const after = await storage.db.selectFrom('projection_checkpoints').select(['replay_indexes', 'replay_started_at']).where('name', '=', 'leads_report').executeTakeFirstOrThrow();
    expect(after).toEqual({ replay_indexes: null, replay_started_at: null });
    expect(await storage.db.selectFrom('leads_report').select('lead_id').execute()).toHaveLength(50);
  });
});
