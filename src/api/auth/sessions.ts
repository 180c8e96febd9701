import type { Context } from 'koa';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { randomBase58, sha256 } from '../../security/tokens.js';

export const SESSION_COOKIE = 'lg_session';
export const CSRF_COOKIE = 'lg_csrf';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface SessionRecord {
  principalKind: 'employee' | 'affiliate_user';
  principalId: string;
  csrfToken: string;
}

/**
 * Console sessions: a random id in an httpOnly SameSite cookie, stored hashed; a readable CSRF
 * cookie whose value state-changing requests echo in X-CSRF-Token. Secure when served over TLS.
 */
export async function startSession(
  db: Kysely<Database>,
  ctx: Context,
  principal: { kind: 'employee' | 'affiliate_user'; id: string },
): Promise<{ csrfToken: string }> {
  // Rotate: a login never reuses the session it arrived with.
  await endSession(db, ctx);
  const id = randomBase58(40);
  const csrfToken = randomBase58(32);
  const expires = new Date(Date.now() + SESSION_TTL_MS);
  await db
    .insertInto('sessions')
    .values({ id_hash: sha256(id), principal_kind: principal.kind, principal_id: principal.id, csrf_token: csrfToken, expires_at: expires })
    .execute();
  const common = { sameSite: 'lax' as const, secure: ctx.secure, expires, path: '/', overwrite: true };
  ctx.cookies.set(SESSION_COOKIE, id, { ...common, httpOnly: true });
  ctx.cookies.set(CSRF_COOKIE, csrfToken, { ...common, httpOnly: false });
  return { csrfToken };
}

export async function findSession(db: Kysely<Database>, id: string): Promise<SessionRecord | undefined> {
  const row = await db
    .selectFrom('sessions')
    .select(['principal_kind', 'principal_id', 'csrf_token'])
    .where('id_hash', '=', sha256(id))
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  return row ? { principalKind: row.principal_kind, principalId: row.principal_id, csrfToken: row.csrf_token } : undefined;
}

export async function endSession(db: Kysely<Database>, ctx: Context): Promise<void> {
  const id = ctx.cookies.get(SESSION_COOKIE);
  if (id) await db.deleteFrom('sessions').where('id_hash', '=', sha256(id)).execute();
  ctx.cookies.set(SESSION_COOKIE, null, { path: '/' });
  ctx.cookies.set(CSRF_COOKIE, null, { path: '/' });
}
