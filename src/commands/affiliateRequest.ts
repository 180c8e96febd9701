import { randomBytes } from 'node:crypto';
import { AppError, errors } from '../api/errors.js';
import { revealApiKey } from './apiKeys.js';
import { getCampaign } from './campaigns.js';
import type { CommandDeps, Meta } from './deps.js';

/**
 * What an affiliate sends to reach one product integration, for the console's "View as
 * JSON", its test dialog and the Postman collection: the post URL, the headers and a lead
 * body with sensible generated values.
 */
export interface AffiliateRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** A lead anyone can send to test: unique email, a country the integration accepts. */
export function sampleLead(allowedCountries: string[] | null): Record<string, unknown> {
  const country = allowedCountries?.[0] ?? 'GB';
  return {
    firstName: 'Test',
    lastName: 'Lead',
    email: `test.${randomBytes(4).toString('hex')}@example.com`,
    phone: country === 'GB' ? '+447700900123' : undefined,
    country,
    clickId: `test-${randomBytes(4).toString('hex')}`,
  };
}

/** The affiliate's campaign and its enabled API integration for the product, or the contract's errors. */
export async function campaignAccess(deps: CommandDeps, affiliateId: string, campaignId?: string, integrationId?: string) {
  const db = deps.storage.db;
  let campaign;
  if (campaignId) campaign = await getCampaign(deps, affiliateId, campaignId);
  else {
    const row = await db
      .selectFrom('campaigns as c')
      .innerJoin('api_integrations as ai', (j) => j.onRef('ai.affiliate_id', '=', 'c.affiliate_id').onRef('ai.product_id', '=', 'c.product_id'))
      .select(['c.id'])
      .where('c.affiliate_id', '=', affiliateId)
      .where('ai.enabled', '=', true)
      .orderBy('c.created_at')
      .executeTakeFirst();
    if (!row) throw new AppError(403, 'integration.not_enabled', 'This affiliate has no campaign on a product with an enabled API integration');
    campaign = await getCampaign(deps, affiliateId, row.id);
  }
  let query = db
    .selectFrom('api_integrations')
    .select(['integration_id', 'allowed_countries', 'enabled'])
    .where('affiliate_id', '=', affiliateId)
    .where('product_id', '=', campaign.productId);
  if (integrationId) query = query.where('integration_id', '=', integrationId);
  const apiIntegration = await query.orderBy('created_at').executeTakeFirst();
  if (!apiIntegration || !apiIntegration.enabled) {
    throw new AppError(403, 'integration.not_enabled', 'This integration is not enabled for the affiliate (add it on the affiliate’s API tab)');
  }
  return { campaign, apiIntegration };
}

/** The request with the affiliate's real key, revealed (and recorded) for `purpose`. */
export async function affiliateRequest(
  deps: CommandDeps,
  affiliateId: string,
  options: { campaignId?: string; integrationId?: string; purpose: 'postman' | 'test_json' },
  meta: Meta,
): Promise<AffiliateRequest & { campaignId: string; productId: string }> {
  const { campaign, apiIntegration } = await campaignAccess(deps, affiliateId, options.campaignId, options.integrationId);
  const { key } = await revealApiKey(deps, affiliateId, options.purpose, meta).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) throw errors.notFound('API key (generate one on the affiliate’s API tab)');
    throw err;
  });
  return {
    method: 'POST',
    url: `${deps.config.PUBLIC_URL}/api/v1/leads`,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: { campaignId: campaign.id, ...sampleLead(apiIntegration.allowed_countries) },
    campaignId: campaign.id,
    productId: campaign.productId,
  };
}

/** A Postman test script: Postman and newman run it after the request and report each pm.test. */
function testScript(lines: string[]) {
  return [{ listen: 'test', script: { type: 'text/javascript', exec: lines } }];
}

/**
 * A Postman v2.1 collection: "Send a lead", then "Lead status" for the lead it created. The
 * key is a collection variable. Each request carries a test script, so an affiliate (in
 * Postman, or running `newman run` in its CI) sees at once whether the lead was accepted;
 * the first stores `leadId` for the second. The email is a fresh `{{$guid}}` on every send:
 * a fixed one would be refused as a duplicate from the second run on.
 */
export function postmanCollection(name: string, request: AffiliateRequest & { campaignId: string }, baseUrl: string) {
  const key = request.headers.Authorization!.replace(/^Bearer /, '');
  const { campaignId: _c, ...lead } = request.body;
  const auth = { key: 'Authorization', value: 'Bearer {{apiKey}}' };
  return {
    info: {
      name: `leadgate — ${name}`,
      description: 'Send a lead to leadgate, then read its status. Set apiKey and campaignId in the collection variables.',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    variable: [
      { key: 'baseUrl', value: baseUrl },
      { key: 'apiKey', value: key },
      { key: 'campaignId', value: request.campaignId },
    ],
    item: [
      {
        name: 'Send a lead',
        event: testScript([
          "pm.test('the lead is accepted: 200 delivered, or 202 pending', function () {",
          '  pm.expect(pm.response.code).to.be.oneOf([200, 202]);',
          '  const body = pm.response.json();',
          '  pm.expect(body.success).to.equal(true);',
          "  pm.expect(body.leadId).to.be.a('string');",
          "  pm.collectionVariables.set('leadId', body.leadId);",
          '});',
        ]),
        request: {
          method: 'POST',
          header: [auth, { key: 'Content-Type', value: 'application/json' }],
          body: {
            mode: 'raw',
            raw: JSON.stringify({ campaignId: '{{campaignId}}', ...lead, email: 'test.{{$guid}}@example.com' }, null, 2),
            options: { raw: { language: 'json' } },
          },
          url: { raw: '{{baseUrl}}/api/v1/leads', host: ['{{baseUrl}}'], path: ['api', 'v1', 'leads'] },
        },
      },
      {
        name: 'Lead status',
        event: testScript([
          "pm.test('the lead is found with its status', function () {",
          '  pm.expect(pm.response.code).to.equal(200);',
          '  const body = pm.response.json();',
          '  pm.expect(body.success).to.equal(true);',
          "  pm.expect(body.leadId).to.equal(pm.collectionVariables.get('leadId'));",
          "  pm.expect(body.status).to.be.oneOf(['pending', 'delivered', 'rejected', 'failed']);",
          '});',
        ]),
        request: {
          method: 'GET',
          header: [auth],
          url: { raw: '{{baseUrl}}/api/v1/leads/{{leadId}}', host: ['{{baseUrl}}'], path: ['api', 'v1', 'leads', '{{leadId}}'] },
        },
      },
    ],
  };
}
