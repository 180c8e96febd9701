import { z } from 'zod';
import type { ZodOpenApiOverrideMetaContext, ZodOpenApiPathsObject } from 'zod-openapi';
import { HttpExchange } from '../../events/types/lead.js';
import { integrationInputSchema } from '../../crm/integrationInput.js';
import { JsonQuery, TestBody } from '../routes/admin/integrationTest.js';
import { ProductBody, ProductPatch } from '../routes/admin/products.js';
import { adminPaths } from './adminRoute.js';
import { Integration, Product } from './adminViews.js';
import { itemsOf, jsonResponse, noContent } from './components.js';

// The target policy only decides which URLs the save refuses, not the shape.
const IntegrationInput = integrationInputSchema({ allowPrivate: false });

/** A PATCH is merged over the stored integration (and its `request` over the stored request), then validated whole. */
const IntegrationPatch = IntegrationInput.meta({
  description: 'Any of the integration\'s fields; `request` is merged field by field, and a header sent as `••••` keeps its value.',
  override: ({ jsonSchema }: ZodOpenApiOverrideMetaContext) => {
    delete jsonSchema.required;
    const request = jsonSchema.properties?.request;
    if (request && typeof request === 'object') delete request.required;
  },
});

const AffiliateRequest = z.object({ method: z.literal('POST'), url: z.string(), headers: z.record(z.string(), z.string()), body: z.record(z.string(), z.unknown()) });

export const IntegrationTestAnswer = z.object({
  request: AffiliateRequest.meta({ description: 'What the affiliate would send (its key shown by prefix only).' }),
  crmRequest: HttpExchange.shape.request.nullable().meta({ description: 'What went to the CRM, secrets masked.' }),
  crmResponse: z
    .object({ status: z.number().int().nullable(), body: z.string(), durationMs: z.number().int() })
    .nullable()
    .meta({ description: 'What the CRM answered.' }),
  response: z.object({ status: z.number().int(), body: z.record(z.string(), z.unknown()) }).meta({ description: 'What the affiliate would get.' }),
  leadId: z.string().nullable(),
});

/** Advertisers & Products and their CRM integrations. */
export const adminProductPaths: ZodOpenApiPathsObject = adminPaths('Admin: products and integrations', {
  '/products': {
    get: { id: 'listProducts', summary: 'List products', answers: { 200: jsonResponse('The products.', itemsOf(Product)) } },
    post: { id: 'createProduct', summary: 'Create a product', body: ProductBody, answers: { 201: jsonResponse('Created.', Product) } },
  },
  '/products/{id}': {
    get: { id: 'getProduct', summary: 'A product, with its conversion secret', answers: { 200: jsonResponse('The product.', Product) } },
    patch: { id: 'updateProduct', summary: 'Edit a product', body: ProductPatch, answers: { 200: jsonResponse('The product.', Product) } },
  },
  '/products/{id}/conversion-secret/rotate': {
    post: { id: 'rotateConversionSecret', summary: "Rotate the product's conversion secret", answers: { 200: jsonResponse('The product with its new secret.', Product) } },
  },
  '/products/{id}/integrations': {
    get: { id: 'listIntegrations', summary: "List a product's CRM integrations", answers: { 200: jsonResponse('The integrations.', itemsOf(Integration)) } },
    post: {
      id: 'createIntegration',
      summary: 'Add a CRM integration',
      description: 'Template placeholders: every lead field, `affiliateId`, `campaignId`, `productId`, `leadId`, `params.<name>`. Response paths are dot paths into the CRM\'s JSON answer.',
      body: IntegrationInput,
      answers: { 201: jsonResponse('Created; header values masked.', Integration) },
    },
  },
  '/products/{id}/integrations/{integrationId}': {
    get: { id: 'getIntegration', summary: 'A CRM integration', answers: { 200: jsonResponse('The integration; header values masked.', Integration) } },
    patch: { id: 'updateIntegration', summary: 'Edit a CRM integration', body: IntegrationPatch, answers: { 200: jsonResponse('The integration.', Integration) } },
    delete: { id: 'deleteIntegration', summary: 'Remove a CRM integration', answers: { 204: noContent } },
  },
  '/products/{id}/integrations/{integrationId}/test': {
    post: {
      id: 'testIntegration',
      summary: 'Send a test lead through the integration',
      description: "Runs a lead (marked `test: true`) through exactly the affiliate's path and shows the four sides of it.",
      body: TestBody,
      answers: { 200: jsonResponse('What was sent and answered, on both sides.', IntegrationTestAnswer) },
    },
  },
  '/products/{id}/integrations/{integrationId}/test/json': {
    get: {
      id: 'integrationRequestJson',
      summary: "The affiliate's request as JSON (\"View as JSON\")",
      description: 'Includes the affiliate\'s key in full: the reveal is recorded in the log.',
      query: JsonQuery,
      answers: { 200: jsonResponse('The request an affiliate sends.', AffiliateRequest) },
    },
  },
});
