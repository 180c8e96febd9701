import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LeadBody } from '../../src/api/intake/leadInput.js';
import { LeadBatcher } from '../../src/api/intake/leadBatcher.js';
import { createLogger } from '../../src/logger.js';
import { sql } from 'kysely';
import { acceptLeads, dedupeProbes, transactionOpening, type AcceptInput, type AcceptRequest } from '../../src/commands/acceptLead.js';
import { pipelinedTransaction } from '../../src/db/transactionPipe.js';
import type { CommandDeps } from '../../src/commands/deps.js';
import type { Config } from '../../src/config.js';
import type { Storage } from '../../src/db/storage.js';
import { openPostgres } from '../../src/db/storage.js';
import { EventStore } from '../../src/events/eventStore.js';
import { inlineProjections } from '../../src/projections/inline/index.js';
import { SecretBox } from '../../src/security/secretBox.js';
import { SecretVault } from '../../src/security/secretVault.js';
import { DATABASE_KINDS, openTestStorage } from '../support/storages.js';
import { cleanup } from '../support/cleanup.js';

const vault = new SecretVault(new SecretBox(randomBytes(32).toString('base64')));

function commandDeps(storage: Storage): CommandDeps {
  // acceptLeads reads no configuration; the type asks for it because other commands do.
  return { config: {} as Config, storage, store: new EventStore(storage.db, inlineProjections), vault };
}

let n = 0;
function lead(overrides: Partial<LeadBody> = {}): LeadBody {
  n++;
  return { email: `batch${n}@example.com`, firstName: 'Ana', lastName: 'Silva', country: 'PT', phone: `+3519123${String(n).padStart(5, '0')}`, test: false, campaignId: 'c_1', ...overrides } as LeadBody;
}

function input(body: LeadBody, overrides: Partial<AcceptInput> = {}): AcceptInput {
  return {
    affiliateId: 'aff_1',
    campaignId: 'c_1',
    productId: 'p_1',
    integrationId: 'i_1',
    dailyCap: null,
    dedupe: { fields: ['email', 'phone'], windowDays: 30 },
    lead: body,
    ...overrides,
  };
}

const request = (i: AcceptInput): AcceptRequest => ({ input: i, meta: { requestId: `req-${n}` } });

async function leadRows(storage: Storage) {
  return storage.db.selectFrom('leads').select(['lead_id', 'email_norm']).execute();
}

describe.each(DATABASE_KINDS)('accepting a batch of leads in one transaction on %s', (kind) => {
  it('decides each lead as if it came alone and in order: duplicates within the batch and against stored leads', async () => {
    const storage = await openTestStorage(kind, 'batch_dedupe');
    const deps = commandDeps(storage);
    const stored = lead();
    const [first] = await acceptLeads(deps, [request(input(stored))]);
    expect(first!.kind).toBe('accepted');

    const a = lead();
    const results = await acceptLeads(deps, [
      request(input(a)),
      request(input(lead({ email: a.email.toUpperCase() }))), // same email, other case
      request(input(lead({ email: stored.email }))), // stored earlier
      request(input(lead({ phone: a.phone }))), // same phone as a
      request(input(lead({ email: a.email, test: true }))), // test leads are never duplicates
      request(input(lead({ email: a.email }), { productId: 'p_2' })), // other product
      request(input(lead())),
    ]);
    expect(results.map((r) => r.kind)).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate', 'accepted', 'accepted', 'accepted']);
    const aId = results[0]!.kind === 'accepted' ? results[0]!.leadId : '';
    expect(results[1]).toEqual({ kind: 'duplicate', leadId: aId });
    expect(results[2]).toEqual({ kind: 'duplicate', leadId: first!.kind === 'accepted' ? first!.leadId : '' });
    expect(results[3]).toEqual({ kind: 'duplicate', leadId: aId });
    expect(await leadRows(storage)).toHaveLength(5);
    const events = await storage.db.selectFrom('events').select(['stream_id', 'type', 'metadata']).where('type', '=', 'LeadReceived').execute();
    expect(events).toHaveLength(5);
    expect(new Set(events.map((e) => e.stream_id)).size).toBe(5);
  });

  it("checks each lead against its own window, and finds duplicates by index even when leads' statistics describe a table of a few rows", async () => {
    const storage = await openTestStorage(kind, 'batch_dedupe_plan');
    const deps = commandDeps(storage);
    const stored = lead();
    const [first] = await acceptLeads(deps, [request(input(stored)), ...Array.from({ length: 4 }, () => request(input(lead())))]);
    const firstId = first!.kind === 'accepted' ? first!.leadId : '';
    await sql`update leads set received_at = now() - interval '10 days' where lead_id = ${firstId}`.execute(storage.db);
    // Statistics of five rows: the planner would scan the table rather than use an index, and
    // a prepared plan made now is kept while the table grows.
    await sql`analyze leads`.execute(storage.db);

    const week = { fields: ['email' as const, 'phone' as const], windowDays: 7 };
    const batch = [request(input(lead({ email: stored.email }), { dedupe: week })), request(input(lead({ email: stored.email }))), request(input(lead({ phone: stored.phone })))];
    const probes = dedupeProbes(batch)!;
    const plan = await pipelinedTransaction(await storage.transactionConnection(), transactionOpening(batch), async (pipe) => {
      const compiled = probes.compile(storage.db);
      const [explained] = await pipe.send<{ 'QUERY PLAN': unknown }>({ ...compiled, sql: `explain (format json) ${compiled.sql}` });
      return JSON.stringify(explained!['QUERY PLAN']);
    });
    expect(plan).toContain('"Relation Name":"leads"');
    expect(plan).not.toContain('"Seq Scan"');
    // Each probe by its own field's index: another index that only narrows to the product
    // would have it filter the product's every lead, and looked as cheap on these statistics.
    expect(new Set(plan.match(/"Index Name":"[a-z_]+"/g))).toEqual(new Set(['"Index Name":"leads_by_email"', '"Index Name":"leads_by_phone"']));

    // 10 days old: outside a 7-day window, inside the default 30 days; the phone is checked too.
    const results = await acceptLeads(deps, batch);
    expect(results).toEqual([expect.objectContaining({ kind: 'accepted' }), { kind: 'duplicate', leadId: firstId }, { kind: 'duplicate', leadId: firstId }]);
  });

  it('counts the batch against the daily cap and keeps Idempotency-Keys apart, in order', async () => {
    const storage = await openTestStorage(kind, 'batch_cap');
    const deps = commandDeps(storage);
    const capped = (body: LeadBody) => input(body, { dailyCap: 2, affiliateId: 'aff_cap' });
    const idem = (key: string, hash: string) => ({ idempotency: { key, requestHash: hash } });
    const results = await acceptLeads(deps, [
      request(capped(lead())),
      request(capped(lead({ test: true }))), // test leads do not count against the cap
      request(capped(lead())),
      request(capped(lead())), // third real lead of the day
      request(input(lead(), idem('k-1', 'h-1'))),
      request(input(lead(), idem('k-1', 'h-1'))), // the same request again
      request(input(lead(), idem('k-1', 'h-2'))), // the same key, another body
    ]);
    expect(results.map((r) => r.kind)).toEqual(['accepted', 'accepted', 'accepted', 'cap_reached', 'accepted', 'replayed', 'idempotency_mismatch']);
    const keyed = results[4]!.kind === 'accepted' ? results[4]!.leadId : '';
    expect(results[5]).toEqual({ kind: 'replayed', leadId: keyed, response: undefined });
    const keys = await storage.db.selectFrom('idempotency_keys').selectAll().execute();
    expect(keys.map((k) => [k.key, k.lead_id])).toEqual([['k-1', keyed]]);

    // The next batch sees what the first one stored.
    const later = await acceptLeads(deps, [request(capped(lead())), request(input(lead(), idem('k-1', 'h-1')))]);
    expect(later.map((r) => r.kind)).toEqual(['cap_reached', 'replayed']);
  });

  it('stores a batch wholly or not at all, and seals passwords', async () => {
    const storage = await openTestStorage(kind, 'batch_atomic');
    const deps = commandDeps(storage);
    const withPassword = await acceptLeads(deps, [request(input(lead({ password: 'Secret-123' }))), request(input(lead()))]);
    const sealed = await storage.db.selectFrom('lead_passwords').selectAll().execute();
    expect(sealed).toHaveLength(1);
    expect(sealed[0]!.lead_id).toBe(withPassword[0]!.kind === 'accepted' ? withPassword[0]!.leadId : '');
    expect(sealed[0]!.sealed).not.toContain('Secret-123');

    // An event that fails its schema (a bad country) fails the batch: nothing of it is stored.
    const before = (await leadRows(storage)).length;
    await expect(acceptLeads(deps, [request(input(lead())), request(input(lead({ country: 'not-a-country' })))])).rejects.toThrow();
    expect(await leadRows(storage)).toHaveLength(before);
  });

  it('groups concurrent accepts, retries a failed batch lead by lead, and enqueues what it accepted', async () => {
    const storage = await openTestStorage(kind, 'batcher');
    const enqueued: string[][] = [];
    const batcher = new LeadBatcher(commandDeps(storage), { enqueue: async (ids) => void enqueued.push(ids), maxInFlight: 1 });
    const bad = lead({ country: 'not-a-country' });
    const answers = await Promise.allSettled([...Array.from({ length: 20 }, () => batcher.accept(input(lead()), {})), batcher.accept(input(bad), {})]);
    expect(answers.slice(0, 20).every((a) => a.status === 'fulfilled' && a.value.kind === 'accepted')).toBe(true);
    expect(answers[20]!.status).toBe('rejected');
    // The batch of 21 failed on the bad lead; each lead was then accepted alone.
    expect(enqueued.flat()).toHaveLength(20);
    expect(await leadRows(storage)).toHaveLength(20);

    enqueued.length = 0;
    const ok = await Promise.all(Array.from({ length: 30 }, () => batcher.accept(input(lead()), {})));
    expect(ok.every((r) => r.kind === 'accepted')).toBe(true);
    expect(enqueued.length).toBeLessThan(30);
    expect(enqueued.flat()).toHaveLength(30);
  });

  it('answers once the leads are stored, without waiting for the queue; drain() waits for their jobs, failed ones too', async () => {
    const storage = await openTestStorage(kind, 'batcher_queue');
    const pending: { ids: string[]; settle: (ok: boolean) => void }[] = [];
    const warnings: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) });
    const enqueue = (ids: string[]) => new Promise<void>((resolve, reject) => pending.push({ ids, settle: (ok) => (ok ? resolve() : reject(new Error('queue down'))) }));
    const batcher = new LeadBatcher(commandDeps(storage), { enqueue, logger });

    const first = await batcher.accept(input(lead()), {});
    expect(first.kind).toBe('accepted');
    expect(await leadRows(storage)).toHaveLength(1);
    const second = await batcher.accept(input(lead()), {});
    expect(pending.map((p) => p.ids)).toEqual([[(first as { leadId: string }).leadId], [(second as { leadId: string }).leadId]]);

    let drained = false;
    const draining = batcher.drain().then(() => (drained = true));
    pending[0]!.settle(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(drained).toBe(false);
    pending[1]!.settle(false);
    await draining;
    expect(warnings).toEqual(['enqueue failed; the sweeper will deliver these leads']);
  });
});

describe('batches from two processes racing on real Postgres', () => {
  it('lets exactly one lead of each contested email through, however the batches interleave', async () => {
    const first = await openTestStorage('postgres', 'batch_race');
    const second = await openPostgres(first.url!);
    cleanup(() => second.close());
    const [a, b] = [commandDeps(first), commandDeps(second)];
    const emails = Array.from({ length: 40 }, (_, i) => `race${i}-${Date.now()}@example.com`);
    // Each side sends the same 40 emails in batches of 10, in opposite orders.
    const side = (deps: CommandDeps, order: string[]) =>
      Promise.all(Array.from({ length: 4 }, (_, k) => acceptLeads(deps, order.slice(k * 10, k * 10 + 10).map((email) => request(input(lead({ email }))))))).then((r) => r.flat());
    const [left, right] = await Promise.all([side(a, emails), side(b, [...emails].reverse())]);
    const accepted = [...left, ...right].filter((r) => r.kind === 'accepted');
    expect(accepted).toHaveLength(40);
    expect([...left, ...right].filter((r) => r.kind === 'duplicate')).toHaveLength(40);
    const rows = await leadRows(first);
    expect(new Set(rows.map((r) => r.email_norm))).toEqual(new Set(emails));
  });
});
