/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures pass through loosely typed JSON */
import { expect } from 'vitest';
import type { TestServer } from './testServer.js';

export interface AffiliateSetup {
  productId: string;
  integrationId: string;
  affiliateId: string;
  campaignId: string;
  apiKey: string;
}

let counter = 0;

/** The integration the tests use by default: the fake CRM's success/error paths. */
export function crmIntegration(crmUrl: string, overrides: Record<string, any> = {}) {
  return {
    type: 'leads',
    name: 'Fake CRM',
    request: {
      url: `${crmUrl}/api/leads`,
      method: 'POST',
      format: 'json',
      headers: { 'X-Crm-Key': 'crm-header-secret-value' },
      body: { first_name: '{{firstName}}', last_name: '{{lastName}}', email: '{{email}}', phone: '{{phone}}', country: '{{country}}', password: '{{password}}', click: '{{clickId}}', lead: '{{leadId}}' },
    },
    response: { successPath: 'status', successEquals: 'ok', autoLoginUrlPath: 'data.login_url', externalIdPath: 'data.customer_id', errorPath: 'message' },
    timeoutMs: 2000,
    retry: { attempts: 3, baseDelayMs: 50 },
    ...overrides,
  };
}

/**
 * Everything an affiliate needs to send leads, made through the admin API as a manager
 * would: product, integration, affiliate, campaign, enabled API integration, key, whitelist.
 */
export async function setupAffiliate(
  server: TestServer,
  options: { crmUrl: string; integration?: Record<string, any>; whitelist?: string[]; apiIntegration?: Record<string, any> },
): Promise<AffiliateSetup> {
  const n = ++counter;
  const admin = server.admin;
  const ok = <T>(res: { status: number; body: T; text: string }, status = 201): T => {
    expect(res.status, res.text).toBe(status);
    return res.body;
  };
  const product = ok(await admin.post('/api/admin/products', { name: `Product ${n}` })) as any;
  const integration = ok(await admin.post(`/api/admin/products/${product.id}/integrations`, crmIntegration(options.crmUrl, options.integration))) as any;
  const affiliate = ok(await admin.post('/api/admin/affiliates', { name: `Affiliate ${n}`, email: `aff${n}@example.com` })) as any;
  const campaign = ok(await admin.post(`/api/admin/affiliates/${affiliate.id}/campaigns`, { name: 'Main', productId: product.id })) as any;
  ok(await admin.post(`/api/admin/affiliates/${affiliate.id}/api-integrations`, { integrationId: integration.id, ...options.apiIntegration }));
  const key = ok(await admin.post(`/api/admin/affiliates/${affiliate.id}/api-key`, {})) as any;
  for (const from of options.whitelist ?? ['127.0.0.1', '::1']) ok(await admin.post(`/api/admin/affiliates/${affiliate.id}/ip-whitelist`, { from }));
  return { productId: product.id, integrationId: integration.id, affiliateId: affiliate.id, campaignId: campaign.id, apiKey: key.key };
}

let leadCounter = 0;

/** A valid lead body with a unique email. */
export function leadBody(campaignId: string, overrides: Record<string, unknown> = {}) {
  leadCounter++;
  return {
    campaignId,
    firstName: 'Ana',
    lastName: 'Silva',
    email: `ana.${Date.now()}.${leadCounter}@example.com`,
    phone: '+351 912 345 678',
    country: 'pt',
    clickId: `click-${leadCounter}`,
    sub1: 'spring',
    ...overrides,
  };
}
