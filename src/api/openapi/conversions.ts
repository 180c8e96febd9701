import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { ConversionBody } from '../routes/conversions.js';
import { errorResponses, jsonContent, jsonResponse, security } from './components.js';

/** 201 (recorded) or 200 (a repeat of the same transactionId: `duplicate: true`, nothing fired again). */
export const ConversionAnswer = z.object({
  success: z.literal(true),
  conversionId: z.string(),
  leadId: z.string(),
  duplicate: z.boolean(),
});

/** The Advertiser API: conversions reported by the CRM. */
export const conversionPaths: ZodOpenApiPathsObject = {
  '/api/v1/conversions': {
    post: {
      operationId: 'reportConversion',
      summary: 'Report a sign-up, FTD or deposit',
      tags: ['Advertiser API'],
      description:
        'Names the lead by `leadId` or by the CRM\'s `externalId`. Idempotent on (product, `transactionId`). An FTD implies a sign-up in the reports; ' +
        "the affiliate's postbacks for the event fire once.",
      security: security.conversionSecret,
      requestBody: { required: true, content: jsonContent(ConversionBody) },
      responses: {
        200: jsonResponse('A repeat of a recorded conversion (`duplicate: true`).', ConversionAnswer),
        201: jsonResponse('Recorded.', ConversionAnswer),
        ...errorResponses({
          400: '`validation.<field>`: for example `validation.leadId` when neither leadId nor externalId is given.',
          401: '`auth.missing_token` or `auth.invalid_token`: no or a wrong conversion secret.',
          404: "`not_found`: no such lead on the secret's product.",
          415: '`validation.content_type`.',
        }),
      },
    },
  },
};
