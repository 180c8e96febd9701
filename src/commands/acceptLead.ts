import { sql, type Transaction } from 'kysely';
import type { LeadBody } from '../api/intake/leadInput.js';
import type { Database } from '../db/schema.js';
import { event } from '../events/events.js';
import type { IntegrationDefinition } from '../events/types/configuration.js';
import type { LeadFields } from '../events/types/lead.js';
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
  | { kind: 'accepted'; leadId: string }
  | { kind: 'duplicate'; leadId: string }
  | { kind: 'cap_reached' }
  /** The same Idempotency-Key was used before: the first lead, and its first answer once known. */
  | { kind: 'replayed'; leadId: string; response?: { status: number; body: Record<string, unknown> } }
  | { kind: 'idempotency_mismatch' };

const DEDUPE_COLUMNS = { email: 'email_norm', phone: 'phone_norm', clickId: 'click_id' } as const;

/** The lead as events keep it: everything but the password. */
export function leadFields(lead: LeadBody): LeadFields {
  const { campaignId: _c, productId: _p, password: _pw, test: _t, ...fields } = lead;
  return fields;
}

async function lock(trx: Transaction<Database>, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}

function dedupeValue(lead: LeadBody, field: keyof typeof DEDUPE_COLUMNS): string | undefined {
  if (field === 'email') return lead.email.toLowerCase();
  return lead[field];
}

async function findDuplicate(trx: Transaction<Database>, input: AcceptInput): Promise<string | undefined> {
  const { fields, windowDays } = input.dedupe;
  if (windowDays <= 0 || input.lead.test) return undefined;
  const checks = fields
    .map((f) => ({ field: f, column: DEDUPE_COLUMNS[f], value: dedupeValue(input.lead, f) }))
    .filter((c): c is { field: typeof c.field; column: typeof c.column; value: string } => c.value !== undefined);
  // Serialise leads that share a value, so two concurrent identical leads cannot both pass.
  // Keys are taken in a fixed order to avoid deadlocks between leads sharing several values.
  for (const key of checks.map((c) => `dedupe:${input.productId}:${c.field}:${c.value}`).sort()) await lock(trx, key);
  const since = new Date(Date.now() - windowDays * 86_400_000);
  for (const check of checks) {
    const row = await trx
      .selectFrom('leads')
      .select('lead_id')
      .where('product_id', '=', input.productId)
      .where(check.column, '=', check.value)
      .where('status', 'in', ['pending', 'delivered'])
      .where('test', '=', false)
      .where('received_at', '>', since)
      .orderBy('received_at')
      .limit(1)
      .executeTakeFirst();
    if (row) return row.lead_id;
  }
  return undefined;
}

async function capReached(trx: Transaction<Database>, input: AcceptInput): Promise<boolean> {
  if (input.dailyCap === null || input.lead.test) return false;
  await lock(trx, `cap:${input.affiliateId}:${input.integrationId}`);
  const midnight = new Date();
  midnight.setUTCHours(0, 0, 0, 0);
  const row = await trx
    .selectFrom('leads')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('affiliate_id', '=', input.affiliateId)
    .where('integration_id', '=', input.integrationId)
    .where('test', '=', false)
    .where('received_at', '>=', midnight)
    .executeTakeFirstOrThrow();
  return Number(row.n) >= input.dailyCap;
}

/**
 * Accepts a validated lead: idempotency, duplicate and cap checks, then LeadReceived (with
 * the inline lead row) and the sealed password, all in one transaction: a lead is either
 * wholly stored or not at all.
 */
export async function acceptLead(deps: CommandDeps, input: AcceptInput, meta: Meta): Promise<AcceptResult> {
  return deps.storage.db.transaction().execute(async (trx): Promise<AcceptResult> => {
    if (input.idempotency) {
      await lock(trx, `idem:${input.affiliateId}:${input.idempotency.key}`);
      const earlier = await trx
        .selectFrom('idempotency_keys')
        .select(['lead_id', 'request_hash', 'response_status', 'response_body'])
        .where('affiliate_id', '=', input.affiliateId)
        .where('key', '=', input.idempotency.key)
        .where('created_at', '>', new Date(Date.now() - 86_400_000))
        .executeTakeFirst();
      if (earlier) {
        if (earlier.request_hash !== input.idempotency.requestHash) return { kind: 'idempotency_mismatch' };
        const response = earlier.response_status && earlier.response_body ? { status: earlier.response_status, body: earlier.response_body } : undefined;
        return { kind: 'replayed', leadId: earlier.lead_id, response };
      }
    }
    const duplicateOf = await findDuplicate(trx, input);
    if (duplicateOf) return { kind: 'duplicate', leadId: duplicateOf };
    if (await capReached(trx, input)) return { kind: 'cap_reached' };

    const leadId = newId('ld');
    await deps.store.append(
      `lead-${leadId}`,
      [
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
      { expectedVersion: 'no_stream', metadata: meta, trx },
    );
    if (input.lead.password) {
      await trx.insertInto('lead_passwords').values({ lead_id: leadId, sealed: deps.vault.seal(input.lead.password) }).execute();
    }
    if (input.idempotency) {
      await trx
        .insertInto('idempotency_keys')
        .values({ affiliate_id: input.affiliateId, key: input.idempotency.key, request_hash: input.idempotency.requestHash, lead_id: leadId })
        .onConflict((oc) => oc.columns(['affiliate_id', 'key']).doUpdateSet({ request_hash: input.idempotency!.requestHash, lead_id: leadId, response_status: null, response_body: null, created_at: new Date() }))
        .execute();
    }
    return { kind: 'accepted', leadId };
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
