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

/** A lead's whole life, varied by its index: delivered, rejected, retried then failed, converted, still retrying. */
function lifeOf(i: number, leadId: string): DomainEvent[] {
  const received = leadReceived({ leadId, affiliateId: `aff_${i % 7}`, test: i % 13 === 0 });
  const attempt = event('DeliveryAttemptStarted', { leadId, attempt: 1 });
  switch (i % 5) {
    case 0:
      return [received, attempt, event('LeadDelivered', { leadId, attempt: 1, externalId: `crm-${i}`, autoLoginUrl: `https://crm.example/login/${i}` })];
    case 1:
      return [received, attempt, event('LeadRejected', { leadId, attempt: 1, code: 'crm.rejected', error: 'Email already registered' })];
    case 2:
      return [
        received,
        attempt,
        event('DeliveryAttemptFailed', { leadId, attempt: 1, code: 'crm.unavailable', error: 'HTTP 503', retryInMs: 1000 }),
        event('LeadDeliveryFailed', { leadId, attempts: 1, code: 'crm.unavailable', error: 'HTTP 503' }),
      ];
    case 3:
      return [received, attempt, event('DeliveryAttemptFailed', { leadId, attempt: 1, code: 'crm.timeout', error: 'timed out' })];
    default:
      return [
        received,
        attempt,
        event('LeadDelivered', { leadId, attempt: 1 }),
        event('LeadConverted', { leadId, conversionId: `cv-${i}`, productId: 'p_1', event: 'signup', transactionId: `s-${i}`, occurredAt: '2026-11-20T10:00:00.000Z' }),
        event('LeadConverted', { leadId, conversionId: `cf-${i}`, productId: 'p_1', event: 'ftd', amount: '250.5', currency: 'USD', transactionId: `f-${i}`, occurredAt: '2026-11-21T10:00:00.000Z' }),
      ];
  }
}

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
          await store.append(`lead-${leadId}`, life, { expectedVersion: 'no_stream', trx });
          events += life.length;
        }
      });
      if (i % 500 === 0) await projector.catchUp();
    }
    await projector.catchUp();
    const incremental = await dump(storage.db);
    const rows = JSON.parse(incremental) as { status: string; ftd_amount: string | null }[];
    expect(rows.length).toBe(i);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['delivered', 'rejected', 'failed', 'pending']));
    expect(rows.filter((r) => r.ftd_amount !== null).length).toBeGreaterThan(0);

    const progress: ReplayProgress[] = [];
    const [result] = await replayProjections(storage.db, [leadsReport], { onProgress: (p) => progress.push({ ...p }) });
    expect(result).toMatchObject({ projection: 'leads_report', done: 10_000, total: 10_000 });
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
    expect(await dump(storage.db)).toBe(incremental);
  });

  it('builds the report without its secondary indexes and restores them, even after a replay that died half-way', async () => {
    const storage = await openTestStorage(kind, 'replay_indexes');
    const indexes = async () =>
      (await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where tablename = 'leads_report' order by indexname`.execute(storage.db)).rows;
    const before = await indexes();
    expect(before.length).toBeGreaterThanOrEqual(7);
    const store = new EventStore(storage.db);
    for (let i = 0; i < 50; i++) await store.append(`lead-${i}`, lifeOf(i, `lead_${i}`), { expectedVersion: 'no_stream' });

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
