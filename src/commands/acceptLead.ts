import { hash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { LeadBody } from '../api/intake/leadInput.js';
import { pipelinedTransaction, type TransactionPipe } from '../db/transactionPipe.js';
import type { Database } from '../db/schema.js';
import { event, type StoredEvent } from '../events/events.js';
import type { IntegrationDefinition } from '../events/types/configuration.js';
import { leadStream, type LeadFields } from '../events/types/lead.js';
import { newId } from '../ids.js';
import type { CommandDeps, Meta } from './deps.js';

export interface AcceptInput {
  affiliateId: string;
  campaignId: string;
  productId: string;
  integrationId: string;
  apiIntegrationId?: string;
  dailyCap: number | null;
  dedupe: IntegrationDefinition['dedupe'];
  lead: LeadBody;
  idempotency?: { key: string; requestHash: string };
}

export type AcceptResult =
  /** `received`: the lead's LeadReceived as stored. */
  | { kind: 'accepted'; leadId: string; received?: StoredEvent }
  | { kind: 'duplicate'; leadId: string }
  | { kind: 'cap_reached' }
  /** The same Idempotency-Key was used before: the first lead, and its first answer once known. */
  | { kind: 'replayed'; leadId: string; response?: { status: number; body: Record<string, unknown> } }
  | { kind: 'idempotency_mismatch' };

const DEDUPE_COLUMNS = { email: 'email_norm', phone: 'phone_norm', clickId: 'click_id' } as const;
type DedupeField = keyof typeof DEDUPE_COLUMNS;

/** The lead as events keep it: everything but the password. */
export function leadFields(lead: LeadBody): LeadFields {
  const { campaignId: _c, productId: _p, password: _pw, test: _t, ...fields } = lead;
  return fields;
}

export interface AcceptRequest {
  input: AcceptInput;
  meta: Meta;
}

const IDEMPOTENCY_TTL_MS = 86_400_000;

function dedupeValue(lead: LeadBody, field: DedupeField): string | undefined {
  if (field === 'email') return lead.email.toLowerCase();
  return lead[field];
}

/** The (field, value) pairs a lead is checked on; none for test leads or a window of 0 days. */
function dedupeChecks(input: AcceptInput): { field: DedupeField; value: string }[] {
  if (input.dedupe.windowDays <= 0 || input.lead.test) return [];
  return input.dedupe.fields.flatMap((field) => {
    const value = dedupeValue(input.lead, field);
    return value === undefined ? [] : [{ field, value }];
  });
}

const dedupeKey = (productId: string, field: DedupeField, value: string) => `${productId}:${field}:${value}`;
const capKey = (input: AcceptInput) => `${input.affiliateId}:${input.integrationId}`;
const idempotencyKey = (input: AcceptInput) => `${input.affiliateId}:${input.idempotency!.key}`;
const hasCap = (input: AcceptInput) => input.dailyCap !== null && !input.lead.test;

/** A lock key as a 64-bit integer: literal digits only, so the locks can ride in BEGIN's simple-protocol query. */
function lockId(key: string): bigint {
  return hash('sha256', key, 'buffer').readBigInt64BE(0);
}

/**
 * What opens the batch's transaction, sent with its BEGIN in one round trip. It serialises
 * the batch against every other transaction touching the same duplicate values, caps and
 * Idempotency-Keys, so two concurrent identical leads cannot both pass: one statement takes
 * the locks, in lock-id order, so two batches never wait on each other in a cycle.
 * Every read of the transaction is a lookup by index; with sequential scans off they stay
 * so even when statistics say `leads` is a page or two (a new install, before its next
 * ANALYZE): a plan made then is kept by the connection while the table grows by thousands.
 */
export function transactionOpening(requests: AcceptRequest[]): string {
  const keys = new Set<string>();
  for (const { input } of requests) {
    if (input.idempotency) keys.add(`idem:${idempotencyKey(input)}`);
    for (const c of dedupeChecks(input)) keys.add(`dedupe:${dedupeKey(input.productId, c.field, c.value)}`);
    if (hasCap(input)) keys.add(`cap:${capKey(input)}`);
  }
  const ids = [...new Set([...keys].map(lockId))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const indexOnly = 'set local enable_seqscan = off';
  if (ids.length === 0) return indexOnly;
  return `${indexOnly}; select count(pg_advisory_xact_lock(id)) from (select unnest('{${ids.join(',')}}'::bigint[]) as id order by id) as ordered`;
}

interface EarlierKey {
  lead_id: string;
  request_hash: string;
  response_status: number | null;
  response_body: Record<string, unknown> | null;
}

/** Idempotency-Keys of the batch used in the last day, by `affiliate:key`. */
async function earlierKeys(pipe: TransactionPipe, db: Kysely<Database>, requests: AcceptRequest[]): Promise<Map<string, EarlierKey>> {
  const keyed = requests.filter((r) => r.input.idempotency);
  if (keyed.length === 0) return new Map();
  const rows = await pipe.send(
    sql<EarlierKey & { affiliate_id: string; key: string }>`
    select k.affiliate_id, k.key, k.lead_id, k.request_hash, k.response_status, k.response_body
    from idempotency_keys k
    join unnest(${keyed.map((r) => r.input.affiliateId)}::text[], ${keyed.map((r) => r.input.idempotency!.key)}::text[]) as q(affiliate_id, key)
      on k.affiliate_id = q.affiliate_id and k.key = q.key
    where k.created_at > ${new Date(Date.now() - IDEMPOTENCY_TTL_MS)}`.compile(db),
  );
  return new Map(rows.map((row) => [`${row.affiliate_id}:${row.key}`, row]));
}

interface LiveLead {
  lead_id: string;
  received_at: Date;
}

/** What a probe finds: the lead, and the check (field, product, value) that found it. */
type ProbeRow = LiveLead & { field: DedupeField; product_id: string; value: string };

/**
 * For each duplicate check of the batch, the oldest live (pending or delivered), non-test
 * lead within that lead's own window sharing the value; by dedupe key, oldest first. One
 * probe per check, each an ordered index lookup (product, value, received_at) that stops at
 * its first row: whatever the planner believes of the table's size, the work does not grow
 * with it (a join of the batch against `leads` was planned as a scan of the whole table when
 * the table had been small at its last ANALYZE, which a busy new install outgrows in seconds).
 * Each lead's check finds the same lead as before: the oldest in its window is its probe's,
 * and no other probe's lead inside that window is older.
 */
async function liveLeads(pipe: TransactionPipe, db: Kysely<Database>, requests: AcceptRequest[]): Promise<Map<string, LiveLead[]>> {
  const found = new Map<string, LiveLead[]>();
  const probes = dedupeProbes(requests);
  if (!probes) return found;
  for (const row of await pipe.send(probes.compile(db))) {
    const key = dedupeKey(row.product_id, row.field, row.value);
    const leads = found.get(key) ?? [];
    // Two checks of one value can find the same lead.
    if (!leads.some((l) => l.lead_id === row.lead_id)) leads.push({ lead_id: row.lead_id, received_at: new Date(row.received_at) });
    found.set(key, leads);
  }
  return found;
}

/** The query behind liveLeads (exported for the test of its plan); undefined when the batch checks nothing. */
export function dedupeProbes(requests: AcceptRequest[]): RawBuilder<ProbeRow> | undefined {
  const probes = new Map<DedupeField, { productIds: string[]; values: string[]; since: Date[] }>();
  const now = Date.now();
  for (const { input } of requests) {
    const since = new Date(now - input.dedupe.windowDays * 86_400_000);
    for (const c of dedupeChecks(input)) {
      const lists = probes.get(c.field) ?? { productIds: [], values: [], since: [] };
      lists.productIds.push(input.productId);
      lists.values.push(c.value);
      lists.since.push(since);
      probes.set(c.field, lists);
    }
  }
  if (probes.size === 0) return undefined;
  const branches = [...probes].map(([field, lists]) => {
    const column = sql.ref(`l.${DEDUPE_COLUMNS[field]}`);
    return sql`select ${field}::text as field, q.product_id, q.value, x.lead_id, x.received_at
      from unnest(${lists.productIds}::text[], ${lists.values}::text[], ${lists.since}::timestamptz[]) as q(product_id, value, since)
      cross join lateral (
        select l.lead_id, l.received_at from leads l
        where l.product_id = q.product_id and ${column} = q.value and l.received_at > q.since
          and l.status in ('pending', 'delivered') and l.test = false
        order by l.received_at limit 1) as x`;
  });
  return sql<ProbeRow>`${sql.join(branches, sql` union all `)} order by received_at`;
}

/** Today's (UTC) accepted non-test leads per affiliate and integration, for the capped requests of the batch. */
async function leadsToday(pipe: TransactionPipe, db: Kysely<Database>, requests: AcceptRequest[]): Promise<Map<string, number>> {
  const capped = requests.filter((r) => hasCap(r.input));
  if (capped.length === 0) return new Map();
  const midnight = new Date();
  midnight.setUTCHours(0, 0, 0, 0);
  const rows = await pipe.send(
    sql<{ affiliate_id: string; integration_id: string; n: string }>`
    select q.affiliate_id, q.integration_id,
      (select count(*) from leads l where l.affiliate_id = q.affiliate_id and l.integration_id = q.integration_id and l.test = false and l.received_at >= ${midnight}) as n
    from (select distinct * from unnest(${capped.map((r) => r.input.affiliateId)}::text[], ${capped.map((r) => r.input.integrationId)}::text[]) as u(affiliate_id, integration_id)) as q`.compile(db),
  );
  return new Map(rows.map((row) => [`${row.affiliate_id}:${row.integration_id}`, Number(row.n)]));
}

/**
 * Accepts a batch of validated leads in one transaction (group commit: a handful of
 * statements, whatever the batch's size), each exactly as if it came alone and in order:
 * Idempotency-Key, duplicate and cap checks — against the database and the batch's earlier
 * leads — then LeadReceived (with the inline lead rows), the sealed passwords and the keys.
 * A lead is wholly stored or not at all; if the transaction fails, none of the batch is.
 * Two round trips on PostgreSQL (see TransactionPipe): the opening with the reads behind it,
 * then the writes with COMMIT behind them.
 */
export async function acceptLeads(deps: CommandDeps, requests: AcceptRequest[]): Promise<AcceptResult[]> {
  if (requests.length === 0) return [];
  const { db } = deps.storage;
  return pipelinedTransaction(await deps.storage.transactionConnection(), transactionOpening(requests), async (pipe): Promise<AcceptResult[]> => {
    // Sent together, behind the opening: its locks are granted before these read.
    const [keys, live, today] = await Promise.all([earlierKeys(pipe, db, requests), liveLeads(pipe, db, requests), leadsToday(pipe, db, requests)]);
    const now = Date.now();
    const accepted: { leadId: string; request: AcceptRequest }[] = [];

    const decide = (request: AcceptRequest): AcceptResult => {
      const { input } = request;
      if (input.idempotency) {
        const earlier = keys.get(idempotencyKey(input));
        if (earlier) {
          if (earlier.request_hash !== input.idempotency.requestHash) return { kind: 'idempotency_mismatch' };
          const response = earlier.response_status && earlier.response_body ? { status: earlier.response_status, body: earlier.response_body } : undefined;
          return { kind: 'replayed', leadId: earlier.lead_id, response };
        }
      }
      const since = now - input.dedupe.windowDays * 86_400_000;
      for (const c of dedupeChecks(input)) {
        const first = live.get(dedupeKey(input.productId, c.field, c.value))?.find((l) => l.received_at.getTime() > since);
        if (first) return { kind: 'duplicate', leadId: first.lead_id };
      }
      if (hasCap(input) && (today.get(capKey(input)) ?? 0) >= input.dailyCap!) return { kind: 'cap_reached' };

      // Accepted: what later leads of this batch must see of it, as they would see its row.
      const leadId = newId('ld');
      accepted.push({ leadId, request });
      if (input.idempotency) keys.set(idempotencyKey(input), { lead_id: leadId, request_hash: input.idempotency.requestHash, response_status: null, response_body: null });
      if (!input.lead.test) {
        for (const field of Object.keys(DEDUPE_COLUMNS) as DedupeField[]) {
          const value = dedupeValue(input.lead, field);
          if (value === undefined) continue;
          const key = dedupeKey(input.productId, field, value);
          live.set(key, [...(live.get(key) ?? []), { lead_id: leadId, received_at: new Date(now) }]);
        }
        today.set(capKey(input), (today.get(capKey(input)) ?? 0) + 1);
      }
      return { kind: 'accepted', leadId };
    };
    const results = requests.map(decide);
    if (accepted.length === 0) return results;

    const insert = deps.store.newStreamsInsert(
      accepted.map(({ leadId, request: { input, meta } }) => ({
        streamId: leadStream(leadId),
        metadata: meta,
        events: [
          event('LeadReceived', {
            leadId,
            affiliateId: input.affiliateId,
            campaignId: input.campaignId,
            productId: input.productId,
            integrationId: input.integrationId,
            apiIntegrationId: input.apiIntegrationId,
            test: input.lead.test,
            lead: leadFields(input.lead),
          }),
        ],
      })),
    );
    const inserted = pipe.send(insert.query);
    const passwords = accepted.filter((a) => a.request.input.lead.password);
    if (passwords.length > 0) {
      void pipe.send(db.insertInto('lead_passwords').values(passwords.map((a) => ({ lead_id: a.leadId, sealed: deps.vault.seal(a.request.input.lead.password!) }))).compile());
    }
    const keyed = accepted.filter((a) => a.request.input.idempotency);
    if (keyed.length > 0) {
      void pipe.send(
        db
          .insertInto('idempotency_keys')
          .values(keyed.map(({ leadId, request: { input } }) => ({ affiliate_id: input.affiliateId, key: input.idempotency!.key, request_hash: input.idempotency!.requestHash, lead_id: leadId })))
          // A key older than the TTL is reused: it now belongs to this lead.
          .onConflict((oc) =>
            oc.columns(['affiliate_id', 'key']).doUpdateSet((eb) => ({
              request_hash: eb.ref('excluded.request_hash'),
              lead_id: eb.ref('excluded.lead_id'),
              response_status: null,
              response_body: null,
              created_at: new Date(),
            })),
          )
          .compile(),
      );
    }
    try {
      await pipe.commit();
    } catch (err) {
      throw insert.collided(err);
    }
    const stored = insert.stored(await inserted);
    const received = new Map(stored.map((e) => [e.streamId, e]));
    return results.map((r) => (r.kind === 'accepted' ? { ...r, received: received.get(leadStream(r.leadId)) } : r));
  });
}

/** Remembers the first answer given for an Idempotency-Key, so a replay returns it again. */
export async function storeIdempotentAnswer(deps: CommandDeps, affiliateId: string, key: string, status: number, body: Record<string, unknown>): Promise<void> {
  await deps.storage.db
    .updateTable('idempotency_keys')
    .set({ response_status: status, response_body: JSON.stringify(body) })
    .where('affiliate_id', '=', affiliateId)
    .where('key', '=', key)
    .where('response_status', 'is', null)
    .execute();
}

export interface RefusalInput {
  affiliateId: string;
  code: string;
  error: string;
  campaignId?: string;
  productId?: string;
  duplicateOf?: string;
  lead: Partial<LeadFields>;
  test: boolean;
}

/** Records an authenticated affiliate's refused request, so the reports can show why it did not arrive. */
export async function recordRefusal(deps: CommandDeps, input: RefusalInput, meta: Meta): Promise<string> {
  const refusalId = newId('rf');
  await deps.store.append(`refusal-${refusalId}`, [event('LeadRefused', { refusalId, ...input })], { expectedVersion: 'no_stream', metadata: meta });
  return refusalId;
}
