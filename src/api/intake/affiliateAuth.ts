import type { Context } from 'koa';
import { touchKeyLastUsed } from '../../security/apiKeyAuth.js';
import { ipAllowed } from '../../security/ipRanges.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';

export interface AuthenticatedAffiliate {
  affiliateId: string;
  keyId: string;
}

/** The API key as sent: Bearer, X-Api-Key, or (Track360 path only) `apiToken` in the body. */
export function presentedKey(ctx: Context, allowBodyToken: boolean): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
  const header = ctx.get('x-api-key') || undefined;
  const body = ctx.request.body as Record<string, unknown> | undefined;
  const token = allowBodyToken && typeof body?.apiToken === 'string' ? body.apiToken : undefined;
  return bearer ?? header ?? token;
}

const TOUCH_EVERY_MS = 60_000;
const touchedAt = new Map<string, number>();

/**
 * Records a key's use at most once a minute per process: lastUsedAt is for people, and a
 * write per lead would cost the hot path a round trip.
 */
function touchLastUsed(deps: AppDeps, keyId: string): void {
  const now = Date.now();
  if (now - (touchedAt.get(keyId) ?? 0) < TOUCH_EVERY_MS) return;
  touchedAt.set(keyId, now);
  void touchKeyLastUsed(deps.storage.db, keyId).catch(() => touchedAt.delete(keyId));
}

/** Authenticates the affiliate by API key and checks the client IP against its whitelist. */
export async function authenticateAffiliate(deps: AppDeps, ctx: Context, allowBodyToken = false): Promise<AuthenticatedAffiliate> {
  const key = presentedKey(ctx, allowBodyToken);
  if (!key) throw new AppError(401, 'auth.missing_token', 'API key required (Authorization: Bearer <key> or X-Api-Key)');
  const auth = await deps.access.apiKey(key);
  if (!auth.ok) {
    throw new AppError(401, auth.code, auth.code === 'auth.token_expired' ? 'API key has expired' : 'API key is invalid or revoked');
  }
  const whitelist = await deps.access.whitelist(auth.affiliateId);
  if (!ipAllowed(ctx.ip, whitelist)) {
    throw new AppError(403, 'auth.ip_not_allowed', `IP address ${ctx.ip} is not whitelisted for this API key`);
  }
  touchLastUsed(deps, auth.keyId);
  return { affiliateId: auth.affiliateId, keyId: auth.keyId };
}
