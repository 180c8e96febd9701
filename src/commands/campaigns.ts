import { errors } from '../api/errors.js';
import { event } from '../events/events.js';
import { newId } from '../ids.js';
import { getAffiliate } from './affiliates.js';
import type { CommandDeps, Meta } from './deps.js';

/** A campaign: the affiliate's traffic for one product; leads name it, reports group by it. */
export interface CampaignView {
  id: string;
  affiliateId: string;
  productId: string;
  name: string;
  createdAt: Date;
}

export async function createCampaign(deps: CommandDeps, affiliateId: string, input: { name: string; productId: string }, meta: Meta): Promise<CampaignView> {
  await getAffiliate(deps, affiliateId);
  const product = await deps.storage.db.selectFrom('products').select('id').where('id', '=', input.productId).executeTakeFirst();
  if (!product) throw errors.validation('productId', 'productId: no such product');
  const campaignId = newId('c');
  await deps.store.append(
    `affiliate-${affiliateId}`,
    [event('CampaignCreated', { campaignId, affiliateId, productId: input.productId, name: input.name })],
    { expectedVersion: 'any', metadata: meta },
  );
  return getCampaign(deps, affiliateId, campaignId);
}

function campaignsQuery(deps: CommandDeps, affiliateId: string) {
  return deps.storage.db.selectFrom('campaigns').select(['id', 'affiliate_id', 'product_id', 'name', 'created_at']).where('affiliate_id', '=', affiliateId);
}

function toView(r: { id: string; affiliate_id: string; product_id: string; name: string; created_at: Date }): CampaignView {
  return { id: r.id, affiliateId: r.affiliate_id, productId: r.product_id, name: r.name, createdAt: r.created_at };
}

export async function getCampaign(deps: CommandDeps, affiliateId: string, campaignId: string): Promise<CampaignView> {
  const row = await campaignsQuery(deps, affiliateId).where('id', '=', campaignId).executeTakeFirst();
  if (!row) throw errors.notFound('Campaign');
  return toView(row);
}

export async function listCampaigns(deps: CommandDeps, affiliateId: string): Promise<CampaignView[]> {
  await getAffiliate(deps, affiliateId);
  const rows = await campaignsQuery(deps, affiliateId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toView);
}
