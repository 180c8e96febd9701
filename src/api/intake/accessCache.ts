import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { ConfigurationCache } from '../../events/configurationCache.js';
import type { IntegrationDefinition } from '../../events/types/configuration.js';
import { authenticateApiKey, type ApiKeyAuthResult } from '../../security/apiKeyAuth.js';
import type { WhitelistBounds } from '../../security/ipRanges.js';
import { sha256 } from '../../security/tokens.js';

export interface CampaignAccess {
  campaignId: string;
  affiliateId: string;
  productId: string;
}

export interface ApiIntegrationAccess {
  id: string;
  integrationId: string;
  enabled: boolean;
  allowedCountries: string[] | null;
  dailyCap: number | null;
  dedupe: IntegrationDefinition['dedupe'];
}

/**
 * The hot path's reads (key → affiliate, whitelist, campaign, enabled integration), cached
 * per process until configuration changes (see ConfigurationCache): a revoked key stops
 * working within a second across processes.
 */
export class AccessCache {
  constructor(
    private readonly db: Kysely<Database>,
    /** The process's one configuration cache (the delivery worker shares it). */
    private readonly cache: ConfigurationCache,
  ) {}

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.cache.get(key, load);
  }

  apiKey(key: string): Promise<ApiKeyAuthResult> {
    return this.cached(`key:${sha256(key)}`, () => authenticateApiKey(this.db, key));
  }

  whitelist(affiliateId: string): Promise<WhitelistBounds[]> {
    return this.cached(`wl:${affiliateId}`, () =>
      this.db.selectFrom('ip_whitelist').select(['from_ip', 'to_ip', 'family']).where('affiliate_id', '=', affiliateId).execute(),
    );
  }

  /** The affiliate's campaign by id, or its only campaign on a product. */
  campaign(affiliateId: string, ref: { campaignId?: string; productId?: string }): Promise<CampaignAccess | undefined> {
    return this.cached(`c:${affiliateId}:${ref.campaignId ?? ''}:${ref.productId ?? ''}`, async () => {
      let query = this.db.selectFrom('campaigns').select(['id', 'affiliate_id', 'product_id']).where('affiliate_id', '=', affiliateId);
      if (ref.campaignId) query = query.where('id', '=', ref.campaignId);
      else if (ref.productId) query = query.where('product_id', '=', ref.productId);
      else return undefined;
      const rows = await query.limit(2).execute();
      if (rows.length !== 1) return undefined;
      const row = rows[0]!;
      return { campaignId: row.id, affiliateId: row.affiliate_id, productId: row.product_id };
    });
  }

  /**
   * The product integration enabled for this affiliate on a product (the first one, if
   * several), or a named one (the console's integration test).
   */
  apiIntegration(affiliateId: string, productId: string, integrationId?: string): Promise<ApiIntegrationAccess | undefined> {
    return this.cached(`ai:${affiliateId}:${productId}:${integrationId ?? ''}`, async () => {
      let query = this.db
        .selectFrom('api_integrations as ai')
        .innerJoin('integrations as i', 'i.id', 'ai.integration_id')
        .select(['ai.id', 'ai.integration_id', 'ai.enabled', 'ai.allowed_countries', 'ai.daily_cap', 'i.definition'])
        .where('ai.affiliate_id', '=', affiliateId)
        .where('ai.product_id', '=', productId)
        .where('i.deleted_at', 'is', null);
      if (integrationId) query = query.where('ai.integration_id', '=', integrationId);
      const row = await query.orderBy('ai.enabled', 'desc').orderBy('ai.created_at').executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        integrationId: row.integration_id,
        enabled: row.enabled,
        allowedCountries: row.allowed_countries,
        dailyCap: row.daily_cap,
        dedupe: row.definition.dedupe,
      };
    });
  }
}
