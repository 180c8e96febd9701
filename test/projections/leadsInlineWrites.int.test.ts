import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Storage } from '../../src/db/storage.js';
import { event, type DomainEvent, type StoredEvent } from '../../src/events/events.js';
import { appendToStreams } from '../../src/events/appendToStream.js';
import { EventStore } from '../../src/events/eventStore.js';
import { leadsProjection } from '../../src/projections/inline/leads.js';
import { leadReceived } from '../support/events.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';

/** The leads projection with only its event-by-event `apply`: the reference the SQL writes are held to. */
const applyOnly = { ...leadsProjection, writesFor: undefined, writesForNewStreams: undefined, writesForAppended: undefined };

/** Four lives, lived one step at a time across all leads (so a batch mixes event types); the last stays pending, due again in 45 s. */
const lives: ((leadId: string) => DomainEvent)[][] = [
  [
    (leadId) => event('DeliveryAttemptStarted', { leadId, attempt: 1 }),
    (leadId) => event('DeliveryAttemptFailed', { leadId, attempt: 1, code: 'crm.timeout', error: 'no answer in 10 s', retryInMs: 30_000 }),
    (leadId) => event('DeliveryAttemptStarted', { leadId, attempt: 2 }),
    (leadId) => event('LeadDelivered', { leadId, attempt: 2, autoLoginUrl: 'https://broker.example/login/x', externalId: 'crm-1' }),
  ],
  [(leadId) => event('DeliveryAttemptStarted', { leadId, attempt: 1 }), (leadId) => event('LeadRejected', { leadId, attempt: 1, code: 'crm.rejected', error: 'duplicate in CRM' })],
  [
    (leadId) => event('DeliveryAttemptStarted', { leadId, attempt: 1 }),
    (leadId) => event('DeliveryAttemptFailed', { leadId, attempt: 1, code: 'crm.unavailable', error: '503' }),
    (leadId) => event('LeadDeliveryFailed', { leadId, attempts: 1, code: 'crm.unavailable', error: 'gave up' }),
  ],
  [
    (leadId) => event('DeliveryAttemptStarted', { leadId, attempt: 1 }),
    (leadId) => event('DeliveryAttemptFailed', { leadId, attempt: 1, code: 'crm.timeout', error: 'no answer in 10 s', retryInMs: 45_000 }),
  ],
];

/** Runs the lives through `store`: the leads in one batch, then each step concurrently for every lead still going. */
async function live(storage: Storage, store: EventStore): Promise<string[]> {
  const leadIds = lives.map(() => randomUUID());
  await storage.db.transaction().execute((trx) => store.appendNewStreams(trx, leadIds.map((leadId) => ({ streamId: `lead-${leadId}`, events: [leadReceived({ leadId })] }))));
  await storage.db.insertInto('lead_passwords').values(leadIds.map((lead_id) => ({ lead_id, sealed: 'sealed' }))).execute();
  for (let step = 0; step < 4; step++) {
    await Promise.all(
      leadIds.flatMap((leadId, i) => {
        const next = lives[i]![step];
        return next ? [store.append(`lead-${leadId}`, [next(leadId)], { expectedVersion: step + 1 })] : [];
      }),
    );
  }
  return leadIds;
}

/** A lead's row with its times as offsets (ms) from the events they come from, so two leads' rows compare. */
async function normalised(storage: Storage, store: EventStore, leadId: string) {
  const row = await storage.db.selectFrom('leads').selectAll().where('lead_id', '=', leadId).executeTakeFirstOrThrow();
  const events = await store.readStream(`lead-${leadId}`);
  const lastOf = (type: string) => events.filter((e) => e.type === type).at(-1);
  const offset = (at: Date | null, from: StoredEvent | undefined) => (at === null ? null : at.getTime() - (from?.createdAt.getTime() ?? 0));
  const { lead_id: _id, email_norm, click_id, received_at, updated_at, last_attempt_started_at, next_attempt_at, ...rest } = row;
  const password = await storage.db.selectFrom('lead_passwords').select('lead_id').where('lead_id', '=', leadId).executeTakeFirst();
  return {
    ...rest,
    emailIsLowercased: email_norm === `${leadId}@example.com`,
    clickId: click_id === `click-${leadId}`,
    received: offset(received_at, events[0]),
    updated: offset(updated_at, events.at(-1)),
    lastStarted: offset(last_attempt_started_at, lastOf('DeliveryAttemptStarted')),
    nextAttempt: offset(next_attempt_at, lastOf('DeliveryAttemptFailed')),
    passwordKept: password !== undefined,
  };
}

describe.each(DATABASE_KINDS)('the leads projection written in SQL, on %s', (kind) => {
  it('makes the same rows as its apply, for a batch of new leads and batched delivery events of every type', async () => {
    const storage = await openTestStorage(kind, 'leads_inline_writes');
    const inSql = new EventStore(storage.db, [leadsProjection]);
    const applied = new EventStore(storage.db, [applyOnly], { groupCommit: false });
    const sqlLeads = await live(storage, inSql);
    const appliedLeads = await live(storage, applied);

    // Group commit did batch the SQL store's appends (several streams per statement).
    const firstSteps = await Promise.all(sqlLeads.map((id) => inSql.readStream(`lead-${id}`)));
    expect(new Set(firstSteps.map((events) => events[1]!.transactionId)).size).toBe(1);

    const rows = await Promise.all(sqlLeads.map((id) => normalised(storage, inSql, id)));
    const reference = await Promise.all(appliedLeads.map((id) => normalised(storage, applied, id)));
    expect(rows).toEqual(reference);
    expect(rows.map((r) => [r.status, r.code, r.attempts, r.nextAttempt, r.passwordKept])).toEqual([
      ['delivered', null, 2, null, false],
      ['rejected', 'crm.rejected', 1, null, false],
      ['failed', 'crm.unavailable', 1, null, false],
      ['pending', 'crm.timeout', 1, 45_000, true],
    ]);
    expect(rows.every((r) => r.emailIsLowercased && r.clickId && r.received === 0 && r.updated === 0 && r.lastStarted === 0)).toBe(true);
    expect(rows[0]).toMatchObject({ auto_login_url: 'https://broker.example/login/x', external_id: 'crm-1', error: null });
  });

  it("starts delivery attempts without touching an index of leads (HOT updates), though other leads' outcomes land on the same pages", async () => {
    const storage = await openTestStorage(kind, 'leads_hot_updates');
    const store = new EventStore(storage.db, [leadsProjection]);
    const leadIds = Array.from({ length: 60 }, () => randomUUID());
    await storage.db.transaction().execute((trx) => store.appendNewStreams(trx, leadIds.map((leadId) => ({ streamId: `lead-${leadId}`, events: [leadReceived({ leadId })] }))));
    // As the delivery workers go: a few attempts start while the leads before them get their
    // outcomes (never HOT: the status changes), each batch one statement and one commit.
    const counts = sql<{ updated: string; hot: string }>`
      select pg_stat_get_xact_tuples_updated('leads'::regclass) as updated, pg_stat_get_xact_tuples_hot_updated('leads'::regclass) as hot`;
    const total = { updated: 0, hot: 0 };
    for (let i = 0; i <= leadIds.length; i += 5) {
      const starting = leadIds.slice(i, i + 5).map((leadId) => ({ streamId: `lead-${leadId}`, event: event('DeliveryAttemptStarted', { leadId, attempt: 1 }), expectedVersion: 1 }));
      const finishing = leadIds.slice(Math.max(0, i - 5), i).map((leadId) => ({ streamId: `lead-${leadId}`, event: event('LeadDelivered', { leadId, attempt: 1, autoLoginUrl: 'https://crm.example/login/x', externalId: `crm-${leadId}` }), expectedVersion: 2 }));
      await storage.db.transaction().execute(async (trx) => {
        // The backend's counts not yet reported may include earlier transactions': this one's is the difference.
        const before = (await counts.execute(trx)).rows[0]!;
        const stored = await appendToStreams(trx, [...starting, ...finishing], leadsProjection.writesForAppended!(trx));
        expect(stored.filter((e) => e instanceof Error)).toEqual([]);
        const after = (await counts.execute(trx)).rows[0]!;
        total.updated += Number(after.updated) - Number(before.updated);
        total.hot += Number(after.hot) - Number(before.hot);
      });
    }
    expect(total.updated).toBe(120);
    // The starts, HOT (none without migration 0012: 0 of 120), and never an outcome (the status
    // changes). Most rather than all: while other test files hold old snapshots on the shared
    // server, a page cannot be pruned of its dead versions, and an update that no longer fits
    // there leaves it (56 and 50 of 60 in two full runs; 60 alone).
    expect(total.hot).toBeGreaterThanOrEqual(40);
    expect(total.hot).toBeLessThanOrEqual(60);
  });
});
