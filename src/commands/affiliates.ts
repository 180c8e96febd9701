import { randomBytes } from 'node:crypto';
import { errors } from '../api/errors.js';
import { event } from '../events/events.js';
import { newId } from '../ids.js';
import type { CommandDeps, Meta } from './deps.js';

export interface AffiliateView {
  id: string;
  name: string;
  email: string;
  kind: 'affiliate' | 'ib';
  createdAt: Date;
  updatedAt: Date;
}

export type AffiliateInput = { name: string; email: string; kind: 'affiliate' | 'ib' };

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function newPostbackSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export async function createAffiliate(deps: CommandDeps, input: AffiliateInput, meta: Meta): Promise<AffiliateView> {
  const affiliateId = newId('a');
  await deps.storage.db.transaction().execute(async (trx) => {
    const postbackSecretId = await deps.vault.store(trx, newPostbackSecret());
    await deps.store.append(
      `affiliate-${affiliateId}`,
      [event('AffiliateCreated', { affiliateId, name: input.name, email: input.email, kind: input.kind, postbackSecretId })],
      { expectedVersion: 'no_stream', metadata: meta, trx },
    );
  });
  return getAffiliate(deps, affiliateId);
}

export async function updateAffiliate(deps: CommandDeps, affiliateId: string, patch: Partial<AffiliateInput>, meta: Meta): Promise<AffiliateView> {
  const current = await getAffiliate(deps, affiliateId);
  await deps.store.append(
    `affiliate-${affiliateId}`,
    [event('AffiliateUpdated', { affiliateId, name: patch.name ?? current.name, email: patch.email ?? current.email, kind: patch.kind ?? current.kind })],
    { expectedVersion: 'any', metadata: meta },
  );
  return getAffiliate(deps, affiliateId);
}

function toView(r: { id: string; name: string; email: string; kind: 'affiliate' | 'ib'; created_at: Date; updated_at: Date }): AffiliateView {
  return { id: r.id, name: r.name, email: r.email, kind: r.kind, createdAt: r.created_at, updatedAt: r.updated_at };
}

export async function getAffiliate(deps: CommandDeps, affiliateId: string): Promise<AffiliateView> {
  const row = await deps.storage.db
    .selectFrom('affiliates')
    .select(['id', 'name', 'email', 'kind', 'created_at', 'updated_at'])
    .where('id', '=', affiliateId)
    .executeTakeFirst();
  if (!row) throw errors.notFound('Affiliate');
  return toView(row);
}

/** Affiliates, optionally filtered by a case-insensitive search on name, email or id. */
export async function listAffiliates(deps: CommandDeps, search?: string): Promise<AffiliateView[]> {
  let query = deps.storage.db.selectFrom('affiliates').select(['id', 'name', 'email', 'kind', 'created_at', 'updated_at']);
  if (search) {
    const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('email', 'ilike', pattern), eb('id', '=', search)]));
  }
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map(toView);
}
