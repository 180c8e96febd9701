import { z } from 'zod';
import type { AffiliateUserView } from '../../commands/affiliateUsers.js';
import type { AffiliateView } from '../../commands/affiliates.js';
import type { ApiIntegrationView as ApiIntegrationViewType } from '../../commands/apiIntegrations.js';
import type { ApiKeyView as ApiKeyViewType, IssuedApiKey as IssuedApiKeyType } from '../../commands/apiKeys.js';
import type { CampaignView } from '../../commands/campaigns.js';
import type { CreatedEmployeeToken as CreatedEmployeeTokenType, EmployeeTokenView } from '../../commands/employeeTokens.js';
import type { EmployeeView } from '../../commands/employees.js';
import type { IntegrationView } from '../../commands/integrations.js';
import type { IpWhitelistEntryView, IpWhitelistView } from '../../commands/ipWhitelist.js';
import type { PostbackView } from '../../commands/postbackConfigs.js';
import type { ProductView } from '../../commands/products.js';
import { Timestamp, type SameKeys } from './components.js';

/*
 * What the console routes answer: the commands' view types, as schemas. Less detailed than the
 * affiliate-facing answers (nested CRM templates stay open objects), but each names exactly the
 * fields of its view type, which the SameKeys checks at the bottom hold to at compile time.
 */

export const Product = z.object({
  id: z.string(),
  name: z.string(),
  advertiser: z.string().nullable(),
  hasApiIntegration: z.boolean().meta({ description: 'The console\'s "API Integration" icon: the product has a CRM integration.' }),
  conversionSecret: z.string().optional().meta({ description: 'On the single view only.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const Integration = z.object({
  id: z.string(),
  productId: z.string(),
  type: z.enum(['leads', 'registration']),
  name: z.string(),
  request: z
    .object({
      url: z.string(),
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH']),
      format: z.enum(['json', 'form']),
      headers: z.record(z.string(), z.string()).meta({ description: 'Header values are secrets: always masked (`••••`).' }),
      body: z.record(z.string(), z.unknown()),
    })
    .meta({ description: 'The request template, placeholders (`{{email}}`) as written.' }),
  response: z.record(z.string(), z.unknown()).meta({ description: 'The response mapping: dot paths into the CRM\'s answer.' }),
  timeoutMs: z.number().int(),
  retry: z.object({ attempts: z.number().int(), baseDelayMs: z.number().int() }),
  dedupe: z.object({ fields: z.array(z.string()), windowDays: z.number().int() }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const Affiliate = z.object({ id: z.string(), name: z.string(), email: z.string(), kind: z.enum(['affiliate', 'ib']), createdAt: Timestamp, updatedAt: Timestamp });

export const Campaign = z.object({ id: z.string(), affiliateId: z.string(), productId: z.string(), name: z.string(), createdAt: Timestamp });

export const AffiliateUser = z.object({ id: z.string(), affiliateId: z.string(), email: z.string(), createdAt: Timestamp });

export const ApiIntegration = z.object({
  id: z.string(),
  affiliateId: z.string(),
  integrationId: z.string(),
  productId: z.string(),
  integrationName: z.string(),
  enabled: z.boolean(),
  allowedCountries: z.array(z.string()).nullable().meta({ description: 'ISO codes; null allows every country.' }),
  dailyCap: z.number().int().nullable().meta({ description: 'Accepted leads per UTC day; null for none.' }),
  params: z.record(z.string(), z.string()).meta({ description: 'Extra template values, `{{params.name}}`.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ApiKey = z.object({
  id: z.string(),
  prefix: z.string(),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  expiresSoon: z.boolean().meta({ description: 'Expires within 7 days, or has.' }),
});

export const IssuedApiKey = z.object({ id: z.string(), key: z.string().meta({ description: 'Shown in full here and on reveal only.' }), prefix: z.string(), expiresAt: Timestamp });

export const RevealedKey = z.object({ key: z.string() });

export const IpWhitelistEntry = z.object({
  id: z.string(),
  from: z.string().meta({ description: 'Canonical lower bound: a single address or CIDR block is stored as the range it covers.' }),
  to: z.string(),
  input: z.string().meta({ description: 'As the manager typed it.' }),
  family: z.union([z.literal(4), z.literal(6)]),
  openToAll: z.boolean(),
  createdAt: Timestamp,
});

export const IpWhitelist = z.object({ items: z.array(IpWhitelistEntry), openToAll: z.boolean().meta({ description: 'Some entry spans a whole address family.' }) });

export const Postback = z.object({
  id: z.string(),
  affiliateId: z.string(),
  event: z.enum(['lead', 'signup', 'ftd', 'deposit']),
  url: z.string().meta({ description: 'As written, macros (`{click_id}`) included.' }),
  method: z.enum(['GET', 'POST']),
  productId: z.string().nullable(),
  createdAt: Timestamp,
});

export const PostbackSecret = z.object({ secret: z.string().meta({ description: '`whsec_` + base64 (Standard Webhooks).' }) });

export const Employee = z.object({ id: z.string(), email: z.string(), role: z.enum(['admin', 'manager']), createdAt: Timestamp });

export const EmployeeToken = z.object({ id: z.string(), name: z.string(), prefix: z.string(), createdAt: Timestamp, revokedAt: Timestamp.nullable() });

export const CreatedEmployeeToken = z.object({
  id: z.string(),
  token: z.string().meta({ description: 'Shown once.' }),
  name: z.string(),
  prefix: z.string(),
  createdAt: Timestamp,
});

const _product: SameKeys<ProductView, z.infer<typeof Product>> = true;
const _integration: SameKeys<IntegrationView, z.infer<typeof Integration>> = true;
const _affiliate: SameKeys<AffiliateView, z.infer<typeof Affiliate>> = true;
const _campaign: SameKeys<CampaignView, z.infer<typeof Campaign>> = true;
const _affiliateUser: SameKeys<AffiliateUserView, z.infer<typeof AffiliateUser>> = true;
const _apiIntegration: SameKeys<ApiIntegrationViewType, z.infer<typeof ApiIntegration>> = true;
const _apiKey: SameKeys<ApiKeyViewType, z.infer<typeof ApiKey>> = true;
const _issuedKey: SameKeys<IssuedApiKeyType, z.infer<typeof IssuedApiKey>> = true;
const _ipEntry: SameKeys<IpWhitelistEntryView, z.infer<typeof IpWhitelistEntry>> = true;
const _ipWhitelist: SameKeys<IpWhitelistView, z.infer<typeof IpWhitelist>> = true;
const _postback: SameKeys<PostbackView, z.infer<typeof Postback>> = true;
const _employee: SameKeys<EmployeeView, z.infer<typeof Employee>> = true;
const _employeeToken: SameKeys<EmployeeTokenView, z.infer<typeof EmployeeToken>> = true;
const _createdToken: SameKeys<CreatedEmployeeTokenType, z.infer<typeof CreatedEmployeeToken>> = true;
