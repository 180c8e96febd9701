import type { Kysely, Transaction } from 'kysely';
import { errors } from '../api/errors.js';
import type { Database } from '../db/schema.js';
import { event, type EventData } from '../events/events.js';
import { newId } from '../ids.js';
import { newCredential } from '../security/tokens.js';
import { getAffiliate } from './affiliates.js';
import type { CommandDeps, Meta } from './deps.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const DEFAULT_LIFETIME_MS = 365 * DAY_MS;
const EXPIRES_SOON_MS = 7 * DAY_MS;

/** An affiliate's current key as the console shows it: never the key itself. */
export interface ApiKeyView {
  id: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  /** Expires within 7 days (or already has): the console's cue to extend it. */
  expiresSoon: boolean;
}

/** A newly issued key: the only answer that carries it unasked. */
export interface IssuedApiKey {
  id: string;
  key: string;
  prefix: string;
  expiresAt: Date;
}

export type RevealPurpose = EventData<'ApiKeyRevealed'>['purpose'];

const streamOf = (affiliateId: string) => `affiliate-${affiliateId}`;

/**
 * Serialises key changes for one affiliate (row lock on its read model until commit), so a
 * racing issue and revoke cannot leave two current keys or a key that escaped the revoke.
 */
async function lockAffiliate(trx: Transaction<Database>, affiliateId: string): Promise<void> {
  await trx.selectFrom('affiliates').select('id').where('id', '=', affiliateId).forUpdate().execute();
}

/** The key in use: the newest one neither revoked nor replaced by a newer key. */
function currentKey(db: Kysely<Database>, affiliateId: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'prefix', 'secret_id', 'created_at', 'expires_at', 'last_used_at'])
    .where('affiliate_id', '=', affiliateId)
    .where('revoked_at', 'is', null)
    .where('superseded_until', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

async function requireCurrentKey(deps: CommandDeps, affiliateId: string) {
  await getAffiliate(deps, affiliateId);
  const key = await currentKey(deps.storage.db, affiliateId);
  if (!key) throw errors.notFound('API key');
  return key;
}

/**
 * Issues a new key, sealed in the vault in the same transaction as its event. The keys it
 * replaces keep working for `graceHours` (default KEY_GRACE_HOURS; 0 ends them at once); a
 * key already in grace keeps the earlier of its own deadline and this one.
 */
export async function issueApiKey(
  deps: CommandDeps,
  affiliateId: string,
  input: { expiresAt?: Date; graceHours?: number },
  meta: Meta,
): Promise<IssuedApiKey> {
  await getAffiliate(deps, affiliateId);
  const now = Date.now();
  const expiresAt = input.expiresAt ?? new Date(now + DEFAULT_LIFETIME_MS);
  const supersededUntil = new Date(now + (input.graceHours ?? deps.config.KEY_GRACE_HOURS) * HOUR_MS);
  const keyId = newId('k');
  const credential = newCredential('lg');
  await deps.storage.db.transaction().execute(async (trx) => {
    await lockAffiliate(trx, affiliateId);
    const replaced = await trx
      .selectFrom('api_keys')
      .select('id')
      .where('affiliate_id', '=', affiliateId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('superseded_until', 'is', null), eb('superseded_until', '>', supersededUntil)]))
      .execute();
    const secretId = await deps.vault.store(trx, credential.value);
    const supersededKeyIds = replaced.map((r) => r.id);
    await deps.store.append(
      streamOf(affiliateId),
      [
        event('ApiKeyIssued', {
          keyId,
          affiliateId,
          keyHash: credential.hash,
          prefix: credential.prefix,
          secretId,
          expiresAt: expiresAt.toISOString(),
          supersededKeyIds,
          supersededUntil: supersededKeyIds.length > 0 ? supersededUntil.toISOString() : null,
        }),
      ],
      { expectedVersion: 'any', metadata: meta, trx },
    );
  });
  return { id: keyId, key: credential.value, prefix: credential.prefix, expiresAt };
}

export async function getApiKey(deps: CommandDeps, affiliateId: string, now: Date = new Date()): Promise<ApiKeyView> {
  const key = await requireCurrentKey(deps, affiliateId);
  return {
    id: key.id,
    prefix: key.prefix,
    createdAt: key.created_at,
    expiresAt: key.expires_at,
    lastUsedAt: key.last_used_at,
    expiresSoon: key.expires_at.getTime() - now.getTime() < EXPIRES_SOON_MS,
  };
}

/**
 * The current key in clear, opened from the vault. Every reveal is recorded (who, when, and
 * what for: the console's copy button, a Postman collection, a test JSON) in the same
 * transaction that reads it: no reveal goes unrecorded.
 */
export async function revealApiKey(
  deps: CommandDeps,
  affiliateId: string,
  purpose: RevealPurpose,
  meta: Meta,
): Promise<{ keyId: string; key: string }> {
  const current = await requireCurrentKey(deps, affiliateId);
  const key = await deps.storage.db.transaction().execute(async (trx) => {
    await deps.store.append(
      streamOf(affiliateId),
      [event('ApiKeyRevealed', { keyId: current.id, affiliateId, purpose })],
      { expectedVersion: 'any', metadata: meta, trx },
    );
    return deps.vault.reveal(trx, current.secret_id);
  });
  return { keyId: current.id, key };
}

export async function extendApiKey(deps: CommandDeps, affiliateId: string, expiresAt: Date, meta: Meta): Promise<ApiKeyView> {
  const current = await requireCurrentKey(deps, affiliateId);
  await deps.store.append(
    streamOf(affiliateId),
    [event('ApiKeyExtended', { keyId: current.id, affiliateId, expiresAt: expiresAt.toISOString() })],
    { expectedVersion: 'any', metadata: meta },
  );
  return getApiKey(deps, affiliateId);
}

/** Revokes at once every key the affiliate still holds: the current one and any in grace. */
export async function revokeApiKeys(deps: CommandDeps, affiliateId: string, meta: Meta): Promise<void> {
  await getAffiliate(deps, affiliateId);
  await deps.storage.db.transaction().execute(async (trx) => {
    await lockAffiliate(trx, affiliateId);
    const keys = await trx.selectFrom('api_keys').select('id').where('affiliate_id', '=', affiliateId).where('revoked_at', 'is', null).execute();
    if (keys.length === 0) throw errors.notFound('API key');
    await deps.store.append(
      streamOf(affiliateId),
      [event('ApiKeyRevoked', { affiliateId, keyIds: keys.map((k) => k.id) })],
      { expectedVersion: 'any', metadata: meta, trx },
    );
  });
}
