import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { UserBody } from '../routes/admin/affiliateUsers.js';
import { AffiliateBody, AffiliatePatch, ListQuery } from '../routes/admin/affiliates.js';
import { ApiIntegrationBody, ApiIntegrationPatch } from '../routes/admin/apiIntegrations.js';
import { ExtendBody, IssueBody } from '../routes/admin/apiKeys.js';
import { CampaignBody } from '../routes/admin/campaigns.js';
import { EntryBody } from '../routes/admin/ipWhitelist.js';
import { PostbackBody } from '../routes/admin/postbacks.js';
import { adminPaths } from './adminRoute.js';
import { Affiliate, AffiliateUser, ApiIntegration, ApiKey, Campaign, IpWhitelist, IpWhitelistEntry, IssuedApiKey, Postback, PostbackSecret, RevealedKey } from './adminViews.js';
import { itemsOf, jsonResponse, noContent } from './components.js';

const PostmanCollection = z
  .looseObject({ info: z.looseObject({ name: z.string(), schema: z.string() }), item: z.array(z.unknown()), variable: z.array(z.looseObject({ key: z.string(), value: z.string() })) })
  .meta({ description: 'A Postman v2.1 collection: variables `baseUrl`, `apiKey` and `campaignId`, and the requests that send a lead and read its status.' });

/** Affiliate Management: affiliates and everything hanging off one. */
export const adminAffiliatePaths: ZodOpenApiPathsObject = adminPaths('Admin: affiliates', {
  '/affiliates': {
    get: { id: 'listAffiliates', summary: 'List affiliates', query: ListQuery, answers: { 200: jsonResponse('The affiliates.', itemsOf(Affiliate)) } },
    post: { id: 'createAffiliate', summary: 'Create an affiliate or IB', body: AffiliateBody, answers: { 201: jsonResponse('Created.', Affiliate) } },
  },
  '/affiliates/{id}': {
    get: { id: 'getAffiliate', summary: 'An affiliate', answers: { 200: jsonResponse('The affiliate.', Affiliate) } },
    patch: { id: 'updateAffiliate', summary: 'Edit an affiliate', body: AffiliatePatch, answers: { 200: jsonResponse('The affiliate.', Affiliate) } },
  },
  '/affiliates/{id}/campaigns': {
    get: { id: 'listCampaigns', summary: "List an affiliate's campaigns", answers: { 200: jsonResponse('The campaigns.', itemsOf(Campaign)) } },
    post: { id: 'createCampaign', summary: 'Create a campaign on a product', body: CampaignBody, answers: { 201: jsonResponse('Created.', Campaign) } },
  },
  '/affiliates/{id}/users': {
    get: { id: 'listAffiliateUsers', summary: "List the affiliate's console logins", answers: { 200: jsonResponse('The logins.', itemsOf(AffiliateUser)) } },
    post: { id: 'createAffiliateUser', summary: 'Give the affiliate a console login (role `affiliate`)', body: UserBody, answers: { 201: jsonResponse('Created.', AffiliateUser) } },
  },
  '/affiliates/{id}/users/{userId}': {
    delete: { id: 'deleteAffiliateUser', summary: 'Remove a console login', answers: { 204: noContent } },
  },
  '/affiliates/{id}/api-integrations': {
    get: { id: 'listApiIntegrations', summary: 'List the product integrations enabled for the affiliate', answers: { 200: jsonResponse('The enabled integrations.', itemsOf(ApiIntegration)) } },
    post: { id: 'enableApiIntegration', summary: 'Enable a product integration for the affiliate', body: ApiIntegrationBody, answers: { 201: jsonResponse('Enabled.', ApiIntegration) } },
  },
  '/affiliates/{id}/api-integrations/{apiIntegrationId}': {
    patch: { id: 'updateApiIntegration', summary: 'Edit enabled, allowed countries, daily cap or params', body: ApiIntegrationPatch, answers: { 200: jsonResponse('The settings.', ApiIntegration) } },
    delete: { id: 'removeApiIntegration', summary: 'Stop the affiliate using the integration', answers: { 204: noContent } },
  },
  '/affiliates/{id}/api-key': {
    get: { id: 'getApiKey', summary: "The affiliate's API key (never the key itself)", answers: { 200: jsonResponse('The key.', ApiKey) } },
    post: {
      id: 'issueApiKey',
      summary: 'Generate an API key',
      description: 'Replaces the current key, which keeps working for the grace period (default 24 h; `graceHours: 0` ends it at once). Expires in 365 days by default.',
      body: IssueBody,
      answers: { 201: jsonResponse('The new key, in full.', IssuedApiKey) },
    },
    delete: { id: 'revokeApiKey', summary: 'Revoke the key (and any key in grace) at once', answers: { 204: noContent } },
  },
  '/affiliates/{id}/api-key/reveal': {
    post: { id: 'revealApiKey', summary: 'Reveal the API key (recorded in the log)', answers: { 200: jsonResponse('The key.', RevealedKey) } },
  },
  '/affiliates/{id}/api-key/extend': {
    post: { id: 'extendApiKey', summary: 'Extend the expiry date', body: ExtendBody, answers: { 200: jsonResponse('The key.', ApiKey) } },
  },
  '/affiliates/{id}/ip-whitelist': {
    get: { id: 'getIpWhitelist', summary: "The affiliate's IP whitelist", answers: { 200: jsonResponse('The entries.', IpWhitelist) } },
    post: {
      id: 'addIpWhitelistEntry',
      summary: 'Allow an IP, a From–To range or a CIDR block',
      description: 'One IP or a CIDR block in `from`, or a range `from`–`to`; IPv4 or IPv6. An empty whitelist allows nothing.',
      body: EntryBody,
      answers: { 201: jsonResponse('Added.', IpWhitelistEntry) },
    },
  },
  '/affiliates/{id}/ip-whitelist/{entryId}': {
    delete: { id: 'removeIpWhitelistEntry', summary: 'Remove a whitelist entry', answers: { 204: noContent } },
  },
  '/affiliates/{id}/postbacks': {
    get: { id: 'listPostbacks', summary: "List the affiliate's postbacks", answers: { 200: jsonResponse('The postbacks.', itemsOf(Postback)) } },
    post: {
      id: 'configurePostback',
      summary: 'Add a postback',
      description: 'URL macros: `{lead_id} {click_id} {campaign_id} {affiliate_id} {product_id} {event} {amount} {currency} {country} {sub1}…{sub10} {transaction_id} {timestamp}`. A POST postback is signed per Standard Webhooks with the postback secret.',
      body: PostbackBody,
      answers: { 201: jsonResponse('Added.', Postback) },
    },
  },
  '/affiliates/{id}/postbacks/{postbackId}': {
    delete: { id: 'removePostback', summary: 'Remove a postback', answers: { 204: noContent } },
  },
  '/affiliates/{id}/postback-secret': {
    get: { id: 'getPostbackSecret', summary: 'The secret that signs POST postbacks', answers: { 200: jsonResponse('The secret.', PostbackSecret) } },
  },
  '/affiliates/{id}/postback-secret/rotate': {
    post: { id: 'rotatePostbackSecret', summary: 'Rotate the postback secret', answers: { 200: jsonResponse('The new secret.', PostbackSecret) } },
  },
  '/affiliates/{id}/postman-collection': {
    get: {
      id: 'postmanCollection',
      summary: 'A Postman collection for the affiliate',
      description: "Holds the affiliate's key in full: the reveal is recorded in the log.",
      answers: { 200: jsonResponse('The collection (sent as a download).', PostmanCollection) },
    },
  },
});
