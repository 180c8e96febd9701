import { createAffiliate } from '../commands/affiliates.js';
import { addApiIntegration } from '../commands/apiIntegrations.js';
import { issueApiKey } from '../commands/apiKeys.js';
import { createCampaign } from '../commands/campaigns.js';
import type { CommandDeps } from '../commands/deps.js';
import { createIntegration } from '../commands/integrations.js';
import { addIpWhitelistEntry } from '../commands/ipWhitelist.js';
import { createProduct } from '../commands/products.js';

export interface DemoSetup {
  productId: string;
  affiliateId: string;
  campaignId: string;
  apiKey: string;
  curl: string;
}

const SYSTEM = { actor: { kind: 'system' as const, id: 'demo' } };

/** The ready-to-paste request a newcomer sends first. */
export function demoCurl(baseUrl: string, apiKey: string, campaignId: string): string {
  const body = JSON.stringify({ campaignId, firstName: 'Ana', lastName: 'Silva', email: 'ana@example.com', phone: '+351912345678', country: 'PT' });
  return `curl -s ${baseUrl}/api/v1/leads -H 'Authorization: Bearer ${apiKey}' -H 'Content-Type: application/json' -d '${body}'`;
}

/**
 * On an empty database: a demo product whose integration points at the built-in sandbox CRM,
 * and a demo affiliate with a campaign, the integration enabled, 127.0.0.1 and ::1
 * whitelisted and a key — so one curl sends a lead end to end.
 */
export async function ensureDemo(deps: CommandDeps): Promise<DemoSetup | undefined> {
  const any = await deps.storage.db.selectFrom('products').select('id').limit(1).executeTakeFirst();
  if (any) return undefined;
  const base = deps.config.PUBLIC_URL;
  const product = await createProduct(deps, { name: 'Demo Broker', advertiser: 'Sandbox CRM' }, SYSTEM);
  const integration = await createIntegration(
    deps,
    product.id,
    {
      type: 'registration',
      name: 'Sandbox CRM',
      request: {
        url: `${base}/sandbox/crm`,
        method: 'POST',
        format: 'json',
        headers: { 'X-Api-Key': 'sandbox-secret' },
        body: {
          first_name: '{{firstName}}',
          last_name: '{{lastName}}',
          email: '{{email}}',
          phone: '{{phone}}',
          country: '{{country}}',
          password: '{{password}}',
          source: 'aff-{{affiliateId}}',
          click_id: '{{clickId}}',
        },
      },
      response: { successPath: 'status', successEquals: 'ok', autoLoginUrlPath: 'data.login_url', externalIdPath: 'data.customer_id', errorPath: 'message' },
      timeoutMs: 20_000,
      retry: { attempts: 3, baseDelayMs: 1000 },
    },
    SYSTEM,
  );
  const affiliate = await createAffiliate(deps, { name: 'Demo Affiliate', email: 'demo-affiliate@example.com', kind: 'affiliate' }, SYSTEM);
  const campaign = await createCampaign(deps, affiliate.id, { name: 'Demo campaign', productId: product.id }, SYSTEM);
  await addApiIntegration(deps, affiliate.id, { integrationId: integration.id, enabled: true, allowedCountries: null, dailyCap: null, params: {} }, SYSTEM);
  for (const from of ['127.0.0.1', '::1']) await addIpWhitelistEntry(deps, affiliate.id, { from }, SYSTEM);
  const key = await issueApiKey(deps, affiliate.id, {}, SYSTEM);
  return { productId: product.id, affiliateId: affiliate.id, campaignId: campaign.id, apiKey: key.key, curl: demoCurl(base, key.key, campaign.id) };
}
