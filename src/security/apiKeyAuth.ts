import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { sha256 } from './tokens.js';

export type ApiKeyAuthResult =
  | { ok: true; affiliateId: string; keyId: string }
  | { ok: false; code: 'auth.invalid_token' | 'auth.token_expired' };

/**
 * Resolves an affiliate API key by one indexed lookup on its SHA-256 (`api_keys.key_hash` is
 * unique). A bad key is an expected outcome, returned as a value: unknown, revoked or past
 * its grace period reads as invalid; past its expiry as expired.
 */
export async function authenticateApiKey(db: Kysely<Database>, presentedKey: string, now: Date = new Date()): Promise<ApiKeyAuthResult> {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'affiliate_id', 'expires_at', 'superseded_until', 'revoked_at'])
    .where('key_hash', '=', sha256(presentedKey))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return { ok: false, code: 'auth.invalid_token' };
  if (row.superseded_until !== null && row.superseded_until <= now) return { ok: false, code: 'auth.invalid_token' };
  if (row.expires_at <= now) return { ok: false, code: 'auth.token_expired' };
  return { ok: true, affiliateId: row.affiliate_id, keyId: row.id };
}

/**
 * Records that a key was used. Not an event (it would double the log's writes on the hot
 * path): the conditional UPDATE writes a key's row at most once a minute, so a busy key does
 * not turn every lead into a row rewrite.
 */
export async function touchKeyLastUsed(db: Kysely<Database>, keyId: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: sql<Date>`now()` })
    .where('id', '=', keyId)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]))
    .execute();
}
