import type { InlineProjection } from '../../events/eventStore.js';

/** Products and their CRM integrations. */
export const productsProjection: InlineProjection = {
  name: 'products',
  handles: ['ProductCreated', 'ProductUpdated', 'ProductConversionSecretRotated', 'IntegrationCreated', 'IntegrationUpdated', 'IntegrationDeleted'],
  async apply(trx, events) {
    for (const e of events) {
      switch (e.type) {
        case 'ProductCreated':
          await trx
            .insertInto('products')
            .values({
              id: e.data.productId,
              name: e.data.name,
              advertiser: e.data.advertiser,
              conversion_secret_id: e.data.conversionSecretId,
              conversion_secret_hash: e.data.conversionSecretHash,
              created_at: e.createdAt,
              updated_at: e.createdAt,
            })
            .execute();
          break;
        case 'ProductUpdated':
          await trx
            .updateTable('products')
            .set({ name: e.data.name, advertiser: e.data.advertiser, updated_at: e.createdAt })
            .where('id', '=', e.data.productId)
            .execute();
          break;
        case 'ProductConversionSecretRotated':
          await trx
            .updateTable('products')
            .set({ conversion_secret_id: e.data.conversionSecretId, conversion_secret_hash: e.data.conversionSecretHash, updated_at: e.createdAt })
            .where('id', '=', e.data.productId)
            .execute();
          break;
        case 'IntegrationCreated':
          await trx
            .insertInto('integrations')
            .values({
              id: e.data.integrationId,
              product_id: e.data.productId,
              type: e.data.type,
              name: e.data.name,
              definition: JSON.stringify(e.data.definition),
              headers_secret_id: e.data.headersSecretId,
              created_at: e.createdAt,
              updated_at: e.createdAt,
            })
            .execute();
          break;
        case 'IntegrationUpdated':
          await trx
            .updateTable('integrations')
            .set({
              type: e.data.type,
              name: e.data.name,
              definition: JSON.stringify(e.data.definition),
              headers_secret_id: e.data.headersSecretId,
              updated_at: e.createdAt,
            })
            .where('id', '=', e.data.integrationId)
            .execute();
          break;
        case 'IntegrationDeleted':
          await trx.updateTable('integrations').set({ deleted_at: e.createdAt }).where('id', '=', e.data.integrationId).execute();
          await trx.deleteFrom('api_integrations').where('integration_id', '=', e.data.integrationId).execute();
          break;
      }
    }
  },
};
