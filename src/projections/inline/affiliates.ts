import type { InlineProjection } from '../../events/eventStore.js';

/** Affiliates, their campaigns, their console users and the product integrations enabled for them. */
export const affiliatesProjection: InlineProjection = {
  name: 'affiliates',
  handles: [
    'AffiliateCreated',
    'AffiliateUpdated',
    'PostbackSecretRotated',
    'CampaignCreated',
    'AffiliateUserCreated',
    'AffiliateUserDeleted',
    'ApiIntegrationAdded',
    'ApiIntegrationUpdated',
    'ApiIntegrationRemoved',
  ],
  async apply(trx, events) {
    for (const e of events) {
      switch (e.type) {
        case 'AffiliateCreated':
          await trx
            .insertInto('affiliates')
            .values({
              id: e.data.affiliateId,
              name: e.data.name,
              email: e.data.email,
              kind: e.data.kind,
              postback_secret_id: e.data.postbackSecretId,
              created_at: e.createdAt,
              updated_at: e.createdAt,
            })
            .execute();
          break;
        case 'AffiliateUpdated':
          await trx
            .updateTable('affiliates')
            .set({ name: e.data.name, email: e.data.email, kind: e.data.kind, updated_at: e.createdAt })
            .where('id', '=', e.data.affiliateId)
            .execute();
          break;
        case 'PostbackSecretRotated':
          await trx
            .updateTable('affiliates')
            .set({ postback_secret_id: e.data.postbackSecretId, updated_at: e.createdAt })
            .where('id', '=', e.data.affiliateId)
            .execute();
          break;
        case 'CampaignCreated':
          await trx
            .insertInto('campaigns')
            .values({ id: e.data.campaignId, affiliate_id: e.data.affiliateId, product_id: e.data.productId, name: e.data.name, created_at: e.createdAt })
            .execute();
          break;
        case 'AffiliateUserCreated':
          await trx
            .insertInto('affiliate_users')
            .values({ id: e.data.userId, affiliate_id: e.data.affiliateId, email: e.data.email, password_hash: e.data.passwordHash, created_at: e.createdAt })
            .execute();
          break;
        case 'AffiliateUserDeleted':
          await trx.deleteFrom('affiliate_users').where('id', '=', e.data.userId).execute();
          await trx.deleteFrom('sessions').where('principal_kind', '=', 'affiliate_user').where('principal_id', '=', e.data.userId).execute();
          break;
        case 'ApiIntegrationAdded':
        case 'ApiIntegrationUpdated': {
          const values = {
            affiliate_id: e.data.affiliateId,
            integration_id: e.data.integrationId,
            product_id: e.data.productId,
            enabled: e.data.enabled,
            allowed_countries: JSON.stringify(e.data.allowedCountries),
            daily_cap: e.data.dailyCap,
            params: JSON.stringify(e.data.params),
            updated_at: e.createdAt,
          };
          await trx
            .insertInto('api_integrations')
            .values({ id: e.data.apiIntegrationId, ...values, created_at: e.createdAt })
            .onConflict((oc) => oc.column('id').doUpdateSet(values))
            .execute();
          break;
        }
        case 'ApiIntegrationRemoved':
          await trx.deleteFrom('api_integrations').where('id', '=', e.data.apiIntegrationId).execute();
          break;
      }
    }
  },
};
