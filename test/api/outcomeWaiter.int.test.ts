import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { OutcomeWaiter } from '../../src/api/intake/outcomeWaiter.js';
import { EVENTS_CHANNEL, LEAD_EVENTS_CHANNEL, LEAD_WAKE, parseEventNotice, type EventNotice } from '../../src/events/appendToStream.js';
import { event } from '../../src/events/events.js';
import { EventStore } from '../../src/events/eventStore.js';
import { Notifier } from '../../src/events/notifier.js';
import { createLogger } from '../../src/logger.js';
import { cleanup } from '../support/cleanup.js';
import { DATABASE_KINDS, openTestStorage, type DatabaseKind } from '../support/storages.js';

async function setup(kind: DatabaseKind, label: string) {
  const storage = await openTestStorage(kind, label);
  const notifier = new Notifier(() => storage.openListenConnection());
  cleanup(() => notifier.close());
  const notices: EventNotice[] = [];
  await notifier.subscribe(LEAD_EVENTS_CHANNEL, (payload) => notices.push(parseEventNotice(payload)));
  const outcomes = new OutcomeWaiter(storage.db);
  await outcomes.listen(notifier);
  cleanup(async () => outcomes.close());
  return { storage, notices, outcomes, store: new EventStore(storage.db) };
}

const until = async (check: () => boolean, ms = 5000) => {
  for (const deadline = Date.now() + ms; !check(); ) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const exchange = { request: { method: 'POST', url: 'https://crm.example/leads', headers: { 'x-api-key': '[masked]' }, body: '{"email":"a@example.com"}' }, response: { status: 422, body: '{"error":"exists"}' }, durationMs: 12 };

describe.each(DATABASE_KINDS)('lead outcomes in notifications (%s)', (kind) => {
  it('answers a waiting request from the outcome its notification carries, without reading the lead', async () => {
    const { storage, outcomes } = await setup(kind, 'outcome_notice_wait');
    // No lead row exists: only the notification can tell the waiter this outcome.
    const waiting = outcomes.wait('ld_only_notified', 5000, { justAccepted: true });
    await until(() => outcomes.waiting === 1);
    const data = JSON.stringify({ leadId: 'ld_only_notified', attempt: 1, autoLoginUrl: 'https://crm.example/login/42' });
    await sql`select pg_notify(${LEAD_EVENTS_CHANNEL}, ${`lead-ld_only_notified LeadDelivered ${data}`})`.execute(storage.db);
    expect(await waiting).toEqual({ status: 'delivered', auto_login_url: 'https://crm.example/login/42', code: null, error: null });
    expect(outcomes.waiting).toBe(0);
  });

  it('ends every wait when closed, pending, without reading from the database that closes next', async () => {
    const { storage, outcomes } = await setup(kind, 'outcome_close');
    const waiting = outcomes.wait('ld_waiting_at_shutdown', 5000, { justAccepted: true });
    await until(() => outcomes.waiting === 1);
    outcomes.close();
    await storage.close();
    expect(await waiting).toBeUndefined();
    expect(outcomes.waiting).toBe(0);
  });

  it('notifies an outcome with its data less the HTTP exchange, other lead events as one wake-up a transaction, and other streams on their own channel', async () => {
    const { storage, store, notices } = await setup(kind, 'outcome_notice_data');
    const others: string[] = [];
    const notifier = new Notifier(() => storage.openListenConnection());
    cleanup(() => notifier.close());
    await notifier.subscribe(EVENTS_CHANNEL, (payload) => others.push(payload));
    // Two leads' attempts in one transaction: one wake-up.
    await storage.db.transaction().execute(async (trx) => {
      await store.append('lead-ld_n1', [event('DeliveryAttemptStarted', { leadId: 'ld_n1', attempt: 1 })], { expectedVersion: 'no_stream', trx });
      await store.append('lead-ld_n2', [event('DeliveryAttemptStarted', { leadId: 'ld_n2', attempt: 1 })], { expectedVersion: 'no_stream', trx });
    });
    await store.append('lead-ld_n1', [event('LeadRejected', { leadId: 'ld_n1', attempt: 1, code: 'crm.duplicate', error: 'Email "a@example.com" exists', http: exchange })], { expectedVersion: 1 });
    await store.append('integration-i_n1', [event('IntegrationDeleted', { integrationId: 'i_n1', productId: 'p_n1' })], { expectedVersion: 'no_stream' });
    await until(() => notices.length === 2 && others.length === 1);
    expect(notices[0]).toEqual({ streamId: LEAD_WAKE, type: '' });
    expect(notices[1]).toEqual({ streamId: 'lead-ld_n1', type: 'LeadRejected', data: { leadId: 'ld_n1', attempt: 1, code: 'crm.duplicate', error: 'Email "a@example.com" exists' } });
    expect(others).toEqual(['integration-i_n1 IntegrationDeleted']);
    await new Promise((r) => setTimeout(r, 100));
    expect(notices).toHaveLength(2);
  });

  it('notifies an outcome too large for a notification without its data, commits it, and the waiter reads the lead instead', async () => {
    const { store, notices, outcomes, storage } = await setup(kind, 'outcome_notice_large');
    const huge = 'é'.repeat(5000); // 10,000 bytes in UTF-8: past PostgreSQL's 8,000-byte payload limit
    await sql`insert into leads (lead_id, affiliate_id, campaign_id, product_id, integration_id, email_norm, test, status, received_at, stream_version, updated_at)
      values ('ld_big', 'a_1', 'c_1', 'p_1', 'i_1', 'big@example.com', false, 'pending', now(), 1, now())`.execute(storage.db);
    const waiting = outcomes.wait('ld_big', 5000, { justAccepted: true });
    await until(() => outcomes.waiting === 1);
    // The row as the leads projection leaves it (this store has no inline projections).
    await sql`update leads set status = 'failed', code = 'crm.unavailable', error = ${huge} where lead_id = 'ld_big'`.execute(storage.db);
    await store.append('lead-ld_big', [event('LeadDeliveryFailed', { leadId: 'ld_big', attempts: 1, code: 'crm.unavailable', error: huge })], { expectedVersion: 'no_stream' });
    await until(() => notices.length === 1);
    expect(notices[0]).toEqual({ streamId: 'lead-ld_big', type: 'LeadDeliveryFailed' });
    expect((await store.readStream('lead-ld_big')).map((e) => e.type)).toEqual(['LeadDeliveryFailed']);
    const answer = await waiting;
    expect(answer).toMatchObject({ status: 'failed', code: 'crm.unavailable', error: huge });
  });

  it('takes a garbled outcome notification (anyone may NOTIFY) as a wake-up: the waiter reads its lead, still pending, and waits on for its outcome', async () => {
    const { storage, outcomes } = await setup(kind, 'outcome_notice_garbled');
    await sql`insert into leads (lead_id, affiliate_id, campaign_id, product_id, integration_id, email_norm, test, status, received_at, stream_version, updated_at)
      values ('ld_garbled', 'a_1', 'c_1', 'p_1', 'i_1', 'garbled@example.com', false, 'pending', now(), 1, now())`.execute(storage.db);
    const reads: string[] = [];
    const read = outcomes.read.bind(outcomes);
    outcomes.read = async (leadId) => {
      const row = await read(leadId);
      reads.push(row?.status ?? 'none');
      return row;
    };
    const waiting = outcomes.wait('ld_garbled', 5000, { justAccepted: true });
    let answered = false;
    void waiting.then(() => (answered = true));
    await until(() => outcomes.waiting === 1);
    for (const garbled of ['lead-ld_garbled LeadDelivered {"autoLoginUrl": "https://crm.exa', 'lead-ld_garbled LeadDelivered [1, 2]', 'lead-ld_garbled LeadDelivered null']) {
      await sql`select pg_notify(${LEAD_EVENTS_CHANNEL}, ${garbled})`.execute(storage.db);
    }
    await until(() => reads.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(reads[0]).toBe('pending');
    expect(answered).toBe(false);
    expect(outcomes.waiting).toBe(1);
    // The real outcome: the leads projection's row, then its notification.
    await sql`update leads set status = 'delivered', auto_login_url = 'https://crm.example/login/7' where lead_id = 'ld_garbled'`.execute(storage.db);
    const data = JSON.stringify({ leadId: 'ld_garbled', attempt: 1, autoLoginUrl: 'https://crm.example/login/7' });
    await sql`select pg_notify(${LEAD_EVENTS_CHANNEL}, ${`lead-ld_garbled LeadDelivered ${data}`})`.execute(storage.db);
    expect(await waiting).toMatchObject({ status: 'delivered', auto_login_url: 'https://crm.example/login/7' });
  });
});

describe.each(DATABASE_KINDS)('notifications (%s)', (kind) => {
  it('keeps a throwing handler from silencing the others or the connection, and logs it without the payload', async () => {
    const storage = await openTestStorage(kind, 'notifier_throwing_handler');
    const lines: string[] = [];
    const notifier = new Notifier(() => storage.openListenConnection(), createLogger('warn', { write: (line: string) => void lines.push(line) }));
    cleanup(() => notifier.close());
    const heard: string[] = [];
    await notifier.subscribe(EVENTS_CHANNEL, () => {
      throw new Error('a broken consumer');
    });
    await notifier.subscribe(EVENTS_CHANNEL, (payload) => heard.push(payload));
    for (const payload of ['first https://crm.example/login/secret-1', 'second']) await sql`select pg_notify(${EVENTS_CHANNEL}, ${payload})`.execute(storage.db);
    await until(() => heard.length === 2);
    expect(heard).toEqual(['first https://crm.example/login/secret-1', 'second']);
    const failures = lines.map((l) => JSON.parse(l) as { msg: string; err: string; channel: string });
    expect(failures).toEqual([
      expect.objectContaining({ msg: 'a notification handler failed; notification skipped', err: 'a broken consumer', channel: EVENTS_CHANNEL }),
      expect.objectContaining({ msg: 'a notification handler failed; notification skipped', err: 'a broken consumer', channel: EVENTS_CHANNEL }),
    ]);
    expect(lines.join('\n')).not.toContain('secret-1');
  });
});

describe('parseEventNotice', () => {
  it('reads a stream, a type and an object of data, and leaves out data that is not a JSON object', () => {
    expect(parseEventNotice('lead-ld_1 LeadRejected {"code":"crm.duplicate"}')).toEqual({ streamId: 'lead-ld_1', type: 'LeadRejected', data: { code: 'crm.duplicate' } });
    expect(parseEventNotice('lead-ld_1 LeadDelivered {"autoLoginUrl": "htt')).toEqual({ streamId: 'lead-ld_1', type: 'LeadDelivered' });
    expect(parseEventNotice('lead-ld_1 LeadDelivered ["a"]')).toEqual({ streamId: 'lead-ld_1', type: 'LeadDelivered' });
    expect(parseEventNotice('lead-ld_1 LeadDelivered 42')).toEqual({ streamId: 'lead-ld_1', type: 'LeadDelivered' });
    expect(parseEventNotice('integration-i_1 IntegrationDeleted')).toEqual({ streamId: 'integration-i_1', type: 'IntegrationDeleted' });
    expect(parseEventNotice(LEAD_WAKE)).toEqual({ streamId: LEAD_WAKE, type: '' });
  });
});
