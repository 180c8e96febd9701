import type { Context, Next } from 'koa';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { sameSecret, sha256 } from '../../security/tokens.js';
import { AppError, errors } from '../errors.js';
import type { Principal, Role } from './principal.js';
import { findSession, SESSION_COOKIE } from './sessions.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearer(ctx: Context): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
  return match?.[1];
}

async function principalFromToken(db: Kysely<Database>, token: string): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('employee_tokens as t')
    .innerJoin('employees as e', 'e.id', 't.employee_id')
    .select(['e.id', 'e.email', 'e.role'])
    .where('t.token_hash', '=', sha256(token))
    .where('t.revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? { kind: 'employee', id: row.id, email: row.email, role: row.role, via: 'token' } : undefined;
}

async function principalFromSession(db: Kysely<Database>, ctx: Context): Promise<Principal | undefined> {
  const id = ctx.cookies.get(SESSION_COOKIE);
  if (!id) return undefined;
  const session = await findSession(db, id);
  if (!session) return undefined;
  // CSRF: a state-changing request made with the cookie must echo the session's token.
  if (!SAFE_METHODS.has(ctx.method) && !sameSecret(ctx.get('x-csrf-token'), session.csrfToken)) {
    throw new AppError(403, 'auth.csrf', 'Missing or wrong X-CSRF-Token header');
  }
  if (session.principalKind === 'employee') {
    const e = await db.selectFrom('employees').select(['id', 'email', 'role']).where('id', '=', session.principalId).executeTakeFirst();
    return e ? { kind: 'employee', id: e.id, email: e.email, role: e.role, via: 'session' } : undefined;
  }
  const u = await db.selectFrom('affiliate_users').select(['id', 'email', 'affiliate_id']).where('id', '=', session.principalId).executeTakeFirst();
  return u ? { kind: 'affiliate_user', id: u.id, email: u.email, affiliateId: u.affiliate_id, via: 'session' } : undefined;
}

/**
 * Resolves the console principal from an employee token (Authorization: Bearer lge_…) or the
 * session cookie, and refuses the request unless its role is among `roles`.
 */
export function authenticate(db: Kysely<Database>, roles: readonly Role[]) {
  return async (ctx: Context, next: Next) => {
    const token = bearer(ctx);
    const principal = token ? await principalFromToken(db, token) : await principalFromSession(db, ctx);
    if (!principal) {
      throw token ? new AppError(401, 'auth.invalid_token', 'Unknown or revoked token') : errors.unauthenticated();
    }
    const role = principal.kind === 'employee' ? principal.role : 'affiliate';
    if (!roles.includes(role)) throw errors.forbidden();
    ctx.state.principal = principal;
    return next();
  };
}

export function principalOf(ctx: Context): Principal {
  const principal = ctx.state.principal as Principal | undefined;
  if (!principal) throw errors.unauthenticated();
  return principal;
}

/** Narrows an authenticated route to roles (within a router that already authenticated). */
export function requireRole(...roles: Role[]) {
  return async (ctx: Context, next: Next) => {
    const principal = principalOf(ctx);
    const role = principal.kind === 'employee' ? principal.role : 'affiliate';
    if (!roles.includes(role)) throw errors.forbidden();
    return next();
  };
}
