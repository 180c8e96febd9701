import { event } from '../events/events.js';
import { getAffiliate, newPostbackSecret } from './affiliates.js';
import type { CommandDeps, Meta } from './deps.js';

const streamOf = (affiliateId: string) => `affiliate-${affiliateId}`;

/**
 * The affiliate's postback signing secret in clear, opened from the vault. The reveal is
 * recorded in the same transaction that reads it, so no read goes unaudited.
 */
export async function revealPostbackSecret(deps: CommandDeps, affiliateId: string, meta: Meta): Promise<{ secret: string }> {
  await getAffiliate(deps, affiliateId);
  const secret = await deps.storage.db.transaction().execute(async (trx) => {
    await deps.store.append(streamOf(affiliateId), [event('PostbackSecretRevealed', { affiliateId })], { expectedVersion: 'any', metadata: meta, trx });
    const { postback_secret_id } = await trx.selectFrom('affiliates').select('postback_secret_id').where('id', '=', affiliateId).executeTakeFirstOrThrow();
    return deps.vault.reveal(trx, postback_secret_id);
  });
  return { secret };
}

/**
 * Replaces the signing secret at once: postbacks signed from now on use the new one. Sealed
 * in the same transaction as its event, so the log never points at a secret that is not there.
 */
export async function rotatePostbackSecret(deps: CommandDeps, affiliateId: string, meta: Meta): Promise<{ secret: string }> {
  await getAffiliate(deps, affiliateId);
  const secret = newPostbackSecret();
  await deps.storage.db.transaction().execute(async (trx) => {
    const postbackSecretId = await deps.vault.store(trx, secret);
    await deps.store.append(streamOf(affiliateId), [event('PostbackSecretRotated', { affiliateId, postbackSecretId })], {
      expectedVersion: 'any',
      metadata: meta,
      trx,
    });
  });
  return { secret };
}
