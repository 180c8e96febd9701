import { AppError, errors } from '../api/errors.js';
import { event } from '../events/events.js';
import { newId } from '../ids.js';
import { hashPassword } from '../security/passwords.js';
import { getAffiliate } from './affiliates.js';
import type { CommandDeps, Meta } from './deps.js';
import { assertEmailFree } from './employees.js';
import { isUniqueViolation } from '../db/errors.js';

/** An affiliate's own console login (role `affiliate`). Never carries the password or its hash. */
export interface AffiliateUserView {
  id: string;
  affiliateId: string;
  email: string;
  createdAt: Date;
}

export async function createAffiliateUser(
  deps: CommandDeps,
  affiliateId: string,
  input: { email: string; password: string },
  meta: Meta,
): Promise<AffiliateUserView> {
  await getAffiliate(deps, affiliateId);
  await assertEmailFree(deps, input.email);
  const userId = newId('u');
  const passwordHash = await hashPassword(input.password);
  try {
    await deps.store.append(`affiliate-${affiliateId}`, [event('AffiliateUserCreated', { userId, affiliateId, email: input.email, passwordHash })], {
      expectedVersion: 'any',
      metadata: meta,
    });
  } catch (err) {
    // Two requests for the same email both passed the check: the unique lower(email) index lets one in.
    if (isUniqueViolation(err)) throw new AppError(409, 'validation.email', 'email: already in use');
    throw err;
  }
  return getAffiliateUser(deps, affiliateId, userId);
}

export async function deleteAffiliateUser(deps: CommandDeps, affiliateId: string, userId: string, meta: Meta): Promise<void> {
  await getAffiliateUser(deps, affiliateId, userId);
  await deps.store.append(`affiliate-${affiliateId}`, [event('AffiliateUserDeleted', { userId, affiliateId })], { expectedVersion: 'any', metadata: meta });
}

function usersQuery(deps: CommandDeps, affiliateId: string) {
  return deps.storage.db.selectFrom('affiliate_users').select(['id', 'affiliate_id', 'email', 'created_at']).where('affiliate_id', '=', affiliateId);
}

function toView(r: { id: string; affiliate_id: string; email: string; created_at: Date }): AffiliateUserView {
  return { id: r.id, affiliateId: r.affiliate_id, email: r.email, createdAt: r.created_at };
}

export async function getAffiliateUser(deps: CommandDeps, affiliateId: string, userId: string): Promise<AffiliateUserView> {
  await getAffiliate(deps, affiliateId);
  const row = await usersQuery(deps, affiliateId).where('id', '=', userId).executeTakeFirst();
  if (!row) throw errors.notFound('User');
  return toView(row);
}

export async function listAffiliateUsers(deps: CommandDeps, affiliateId: string): Promise<AffiliateUserView[]> {
  await getAffiliate(deps, affiliateId);
  const rows = await usersQuery(deps, affiliateId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toView);
}
