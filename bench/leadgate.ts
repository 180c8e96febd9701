import path from 'node:path';
import { leadgateNodeFlags } from '../scripts/build.mjs';
import { HttpSession } from '../test/support/http.js';
import type { Cleanup } from './cleanup.js';
import { secretKey } from './infra.js';
import { LeadBodies } from './leadBodies.js';
import { intakeSpec, type LoadSpec } from './load.js';
import { ROOT, onFreePort, spawnTs, waitHttpReady, type Child } from './processes.js';

/** The compiled CLI, as `npx leadgate` and `npm start` run it (bin/leadgate.js builds dist/ when stale). */
const CLI = path.join(ROOT, 'bin/leadgate.js');
export const ADMIN = { email: 'bench-admin@example.com', password: 'bench-password-123' };

export interface LeadgateOptions {
  label: string;
  role?: 'start' | 'api' | 'worker';
  /** Postgres (+ Redis) shape; neither means embedded, in `dataDir`. */
  databaseUrl?: string;
  redisUrl?: string;
  queuePrefix?: string;
  dataDir?: string;
  syncWindowMs?: number;
  /** The same SECRET_KEY for every process on one database (api then worker). */
  secretKey?: string;
  nodeArgs?: string[];
  env?: Record<string, string>;
}

export interface Leadgate {
  url: string;
  pid: number;
  child: Child;
  stop(): Promise<void>;
}

/** `leadgate <role>` as its own process, configured the way the bench needs; ready when it returns (api roles). */
export async function startLeadgate(options: LeadgateOptions, cleanup: Cleanup): Promise<Leadgate> {
  const role = options.role ?? 'start';
  // One key across retries: a first attempt may already have written to the database.
  const key = options.secretKey ?? secretKey();
  return onFreePort(async (port) => {
    const env: Record<string, string> = {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl ?? '',
      REDIS_URL: options.redisUrl ?? '',
      QUEUE_PREFIX: options.queuePrefix ?? 'leadgate',
      DATA_DIR: options.dataDir ?? '',
      SECRET_KEY: key,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      ALLOW_PRIVATE_TARGETS: 'true',
      DEMO: 'false',
      LOG_LEVEL: 'warn',
      INTAKE_RATE_LIMIT: '0',
      ...(options.syncWindowMs !== undefined ? { SYNC_WINDOW_MS: String(options.syncWindowMs) } : {}),
      ...options.env,
    };
    const child = spawnTs(`leadgate ${role} (${options.label})`, CLI, [role], { env, nodeArgs: [...leadgateNodeFlags(), ...(options.nodeArgs ?? [])], javascript: true }, cleanup);
    const url = `http://127.0.0.1:${port}`;
    if (role !== 'worker') await waitHttpReady(child, `${url}/readyz`, 60_000);
    return { url, pid: child.pid, child, stop: child.stop };
  });
}

export interface Affiliate {
  apiKey: string;
  campaignId: string;
  affiliateId: string;
  /** An employee token (`Authorization: Bearer`) for the admin API. */
  adminToken: string;
}

/** An employee token for the first admin (`Authorization: Bearer`), made through the login the console uses. */
export async function adminToken(baseUrl: string): Promise<string> {
  const session = new HttpSession(baseUrl);
  await session.login(ADMIN.email, ADMIN.password);
  const res = await session.post<{ token: string }>('/api/admin/tokens', { name: 'bench' });
  if (res.status !== 201) throw new Error(`POST /api/admin/tokens answered ${res.status}: ${res.text}`);
  return res.body.token;
}

/** Product, CRM integration, affiliate, campaign, enabled API integration, key and whitelist, through the admin API. */
export async function setupAffiliate(baseUrl: string, crmLeadsUrl: string): Promise<Affiliate> {
  const token = await adminToken(baseUrl);
  const session = HttpSession.withToken(baseUrl, token);
  const created = async <T>(pathname: string, body: unknown): Promise<T> => {
    const res = await session.post<T>(pathname, body);
    if (res.status !== 201) throw new Error(`POST ${pathname} answered ${res.status}: ${res.text}`);
    return res.body;
  };
  const product = await created<{ id: string }>('/api/admin/products', { name: 'Bench Broker', advertiser: 'Bench' });
  const integration = await created<{ id: string }>(`/api/admin/products/${product.id}/integrations`, {
    type: 'leads',
    name: 'Bench CRM',
    request: {
      url: crmLeadsUrl,
      method: 'POST',
      format: 'json',
      headers: { 'X-Api-Key': 'bench-crm-secret' },
      body: {
        first_name: '{{firstName}}',
        last_name: '{{lastName}}',
        email: '{{email}}',
        phone: '{{phone}}',
        country: '{{country}}',
        source: 'aff-{{affiliateId}}',
        click: '{{clickId}}',
        tag: '{{sub1}}',
      },
    },
    response: { successPath: 'status', successEquals: 'ok', autoLoginUrlPath: 'data.login_url', externalIdPath: 'data.customer_id', errorPath: 'message' },
    timeoutMs: 10_000,
    retry: { attempts: 5 },
  });
  const affiliate = await created<{ id: string }>('/api/admin/affiliates', { name: 'Bench Affiliate', email: 'bench-affiliate@example.com' });
  const campaign = await created<{ id: string }>(`/api/admin/affiliates/${affiliate.id}/campaigns`, { name: 'Main', productId: product.id });
  await created(`/api/admin/affiliates/${affiliate.id}/api-integrations`, { integrationId: integration.id });
  const key = await created<{ key: string }>(`/api/admin/affiliates/${affiliate.id}/api-key`, {});
  for (const from of ['127.0.0.1', '::1']) await created(`/api/admin/affiliates/${affiliate.id}/ip-whitelist`, { from });
  return { apiKey: key.key, campaignId: campaign.id, affiliateId: affiliate.id, adminToken: token };
}

/**
 * An affiliate set up on `leadgate` (its CRM at `crmLeadsUrl`), and the bench's intake load
 * at it as that affiliate: 200 with an autoLoginUrl expected when `sync`, else 202.
 */
export async function affiliateIntakeLoad(leadgate: Leadgate, crmLeadsUrl: string, options: { sync: boolean; connections: number; durationS: number }): Promise<LoadSpec> {
  const affiliate = await setupAffiliate(leadgate.url, crmLeadsUrl);
  return intakeSpec(leadgate.url, new LeadBodies(affiliate.campaignId), affiliate.apiKey, {
    connections: options.connections,
    durationS: options.durationS,
    expectStatus: options.sync ? 200 : 202,
  });
}
