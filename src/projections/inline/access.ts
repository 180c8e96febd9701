import type { InlineProjection } from '../../events/eventStore.js';

/** What intake checks: API keys (by hash), IP whitelists, and where postbacks go. */
export const accessProjection: InlineProjection = {
  name: 'access',
  handles: [
    'ApiKeyIssued',
    'ApiKeyExtended',
    'ApiKeyRevoked',
    'IpWhitelistEntryAdded',
    'IpWhitelistEntryRemoved',
    'PostbackConfigured',
    'PostbackRemoved',
  ],
  async apply(trx, events) {
    for (const e of events) {
      switch (e.type) {
        case 'ApiKeyIssued':
          if (e.data.supersededKeyIds.length > 0) {
            await trx
              .updateTable('api_keys')
              .set({ superseded_until: e.data.supersededUntil })
              .where('id', 'in', e.data.supersededKeyIds)
              .execute();
          }
          await trx
            .insertInto('api_keys')
            .values({
              id: e.data.keyId,
              affiliate_id: e.data.affiliateId,
              key_hash: e.data.keyHash,
              prefix: e.data.prefix,
              secret_id: e.data.secretId,
              created_at: e.createdAt,
              expires_at: e.data.expiresAt,
            })
            .execute();
          break;
        case 'ApiKeyExtended':
          await trx.updateTable('api_keys').set({ expires_at: e.data.expiresAt }).where('id', '=', e.data.keyId).execute();
          break;
        case 'ApiKeyRevoked':
          if (e.data.keyIds.length > 0) {
            await trx.updateTable('api_keys').set({ revoked_at: e.createdAt }).where('id', 'in', e.data.keyIds).execute();
          }
          break;
        case 'IpWhitelistEntryAdded':
          await trx
            .insertInto('ip_whitelist')
            .values({
              id: e.data.entryId,
              affiliate_id: e.data.affiliateId,
              from_ip: e.data.from,
              to_ip: e.data.to,
              family: e.data.family,
              input: e.data.input,
              open_to_all: e.data.openToAll,
              created_at: e.createdAt,
            })
            .execute();
          break;
        case 'IpWhitelistEntryRemoved':
          await trx.deleteFrom('ip_whitelist').where('id', '=', e.data.entryId).execute();
          break;
        case 'PostbackConfigured':
          await trx
            .insertInto('postback_configs')
            .values({
              id: e.data.postbackId,
              affiliate_id: e.data.affiliateId,
              event: e.data.event,
              url: e.data.url,
              method: e.data.method,
              product_id: e.data.productId,
              created_at: e.createdAt,
            })
            .execute();
          break;
        case 'PostbackRemoved':
          await trx.deleteFrom('postback_configs').where('id', '=', e.data.postbackId).execute();
          break;
      }
    }
  },
};
