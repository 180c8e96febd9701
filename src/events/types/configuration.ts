import { z } from 'zod';

/**
 * What managers configure. Secrets are never in these events: credentials appear as hashes
 * (looked up, never reversed) and revealable values as references into the sealed `secrets`
 * vault (`…SecretId`).
 */

const IntegrationDefinition = z.object({
  request: z.object({
    url: z.string(),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH']),
    format: z.enum(['json', 'form']),
    /** Header names only; their values are sealed behind headersSecretId. */
    headerNames: z.array(z.string()),
    body: z.record(z.string(), z.unknown()),
  }),
  response: z.object({
    successPath: z.string().optional(),
    successEquals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    autoLoginUrlPath: z.string().optional(),
    externalIdPath: z.string().optional(),
    errorPath: z.string().optional(),
  }),
  timeoutMs: z.number().int(),
  retry: z.object({ attempts: z.number().int(), baseDelayMs: z.number().int() }),
  dedupe: z.object({ fields: z.array(z.enum(['email', 'phone', 'clickId'])), windowDays: z.number().int() }),
});
export type IntegrationDefinition = z.infer<typeof IntegrationDefinition>;

const integrationState = {
  integrationId: z.string(),
  productId: z.string(),
  type: z.enum(['leads', 'registration']),
  name: z.string(),
  definition: IntegrationDefinition,
  headersSecretId: z.string().nullable(),
};

const apiIntegrationState = {
  apiIntegrationId: z.string(),
  affiliateId: z.string(),
  integrationId: z.string(),
  productId: z.string(),
  enabled: z.boolean(),
  allowedCountries: z.array(z.string()).nullable(),
  dailyCap: z.number().int().nullable(),
  params: z.record(z.string(), z.string()),
};

export const configurationEvents = {
  EmployeeCreated: z.object({
    employeeId: z.string(),
    email: z.string(),
    role: z.enum(['admin', 'manager']),
    passwordHash: z.string(),
  }),
  EmployeeTokenCreated: z.object({
    tokenId: z.string(),
    employeeId: z.string(),
    name: z.string(),
    tokenHash: z.string(),
    prefix: z.string(),
  }),
  EmployeeTokenRevoked: z.object({ tokenId: z.string(), employeeId: z.string() }),

  ProductCreated: z.object({
    productId: z.string(),
    name: z.string(),
    advertiser: z.string().nullable(),
    conversionSecretId: z.string(),
    conversionSecretHash: z.string(),
  }),
  ProductUpdated: z.object({ productId: z.string(), name: z.string(), advertiser: z.string().nullable() }),
  ProductConversionSecretRotated: z.object({
    productId: z.string(),
    conversionSecretId: z.string(),
    conversionSecretHash: z.string(),
  }),

  IntegrationCreated: z.object(integrationState),
  IntegrationUpdated: z.object(integrationState),
  IntegrationDeleted: z.object({ integrationId: z.string(), productId: z.string() }),

  AffiliateCreated: z.object({
    affiliateId: z.string(),
    name: z.string(),
    email: z.string(),
    kind: z.enum(['affiliate', 'ib']),
    postbackSecretId: z.string(),
  }),
  AffiliateUpdated: z.object({ affiliateId: z.string(), name: z.string(), email: z.string(), kind: z.enum(['affiliate', 'ib']) }),
  CampaignCreated: z.object({ campaignId: z.string(), affiliateId: z.string(), productId: z.string(), name: z.string() }),
  AffiliateUserCreated: z.object({ userId: z.string(), affiliateId: z.string(), email: z.string(), passwordHash: z.string() }),
  AffiliateUserDeleted: z.object({ userId: z.string(), affiliateId: z.string() }),

  ApiIntegrationAdded: z.object(apiIntegrationState),
  ApiIntegrationUpdated: z.object(apiIntegrationState),
  ApiIntegrationRemoved: z.object({ apiIntegrationId: z.string(), affiliateId: z.string() }),

  ApiKeyIssued: z.object({
    keyId: z.string(),
    affiliateId: z.string(),
    keyHash: z.string(),
    prefix: z.string(),
    secretId: z.string(),
    expiresAt: z.iso.datetime({ offset: true }),
    /** Keys this one replaces, and until when they keep working (the grace period). */
    supersededKeyIds: z.array(z.string()),
    supersededUntil: z.iso.datetime({ offset: true }).nullable(),
  }),
  ApiKeyExtended: z.object({ keyId: z.string(), affiliateId: z.string(), expiresAt: z.iso.datetime({ offset: true }) }),
  ApiKeyRevoked: z.object({ affiliateId: z.string(), keyIds: z.array(z.string()) }),
  ApiKeyRevealed: z.object({ keyId: z.string(), affiliateId: z.string(), purpose: z.enum(['reveal', 'postman', 'test_json']) }),

  IpWhitelistEntryAdded: z.object({
    entryId: z.string(),
    affiliateId: z.string(),
    from: z.string(),
    to: z.string(),
    family: z.union([z.literal(4), z.literal(6)]),
    input: z.string(),
    openToAll: z.boolean(),
  }),
  IpWhitelistEntryRemoved: z.object({ entryId: z.string(), affiliateId: z.string() }),

  PostbackConfigured: z.object({
    postbackId: z.string(),
    affiliateId: z.string(),
    event: z.enum(['lead', 'signup', 'ftd', 'deposit']),
    url: z.string(),
    method: z.enum(['GET', 'POST']),
    productId: z.string().nullable(),
  }),
  PostbackRemoved: z.object({ postbackId: z.string(), affiliateId: z.string() }),
  PostbackSecretRotated: z.object({ affiliateId: z.string(), postbackSecretId: z.string() }),
  PostbackSecretRevealed: z.object({ affiliateId: z.string() }),
};
