/**
 * leadgate's affiliate-facing API as a tiny typed client: no dependencies, the global fetch.
 * See sdk/README.md.
 */
export { AffiliateClient, type AffiliateClientOptions } from './affiliateClient.js';
export { AdvertiserClient, type AdvertiserClientOptions } from './advertiserClient.js';
export { LeadgateError, type ClientOptions, type TransportCode } from './http.js';
export type * from './types.js';
