import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { recordConversion } from '../../commands/recordConversion.js';
import { sha256 } from '../../security/tokens.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { validate } from '../validate.js';

/** Ids as advertisers send them: text, or a CRM's numeric id taken as its digits. */
const Id = z.union([z.string().trim().min(1).max(200), z.number().int().nonnegative().transform(String)]);

/** A number as a plain decimal ("250", "99.5"), never in exponent form; a decimal string as sent. */
const Amount = z.union([
  z
    .number()
    .nonnegative()
    .max(1e15)
    .transform((n) => (String(n).includes('e') ? n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 }) : String(n))),
  z.string().regex(/^\d{1,15}(\.\d{1,20})?$/, 'must be a non-negative decimal number'),
]);

export const ConversionBody = z
  .object({
    leadId: Id.optional(),
    externalId: Id.optional(),
    event: z.enum(['signup', 'ftd', 'deposit']),
    amount: Amount.optional(),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code such as USD')
      .transform((c) => c.toUpperCase())
      .optional(),
    transactionId: Id,
    occurredAt: z.iso
      .datetime({ offset: true })
      .transform((t) => new Date(t).toISOString())
      .optional(),
  })
  .refine((b) => b.leadId !== undefined || b.externalId !== undefined, { message: 'leadId or externalId is required', path: ['leadId'] });

/** The product whose conversion secret was presented: one indexed lookup by its SHA-256. */
async function authenticateProduct(deps: AppDeps, ctx: Context): Promise<string> {
  const secret = ctx.get('x-conversion-secret');
  if (!secret) throw new AppError(401, 'auth.missing_token', 'Conversion secret required (X-Conversion-Secret)');
  const product = await deps.storage.db.selectFrom('products').select('id').where('conversion_secret_hash', '=', sha256(secret)).executeTakeFirst();
  if (!product) throw new AppError(401, 'auth.invalid_token', 'Conversion secret is invalid');
  return product.id;
}

/** POST /api/v1/conversions: an advertiser reports a sign-up, FTD or deposit of one of its leads. */
export function conversionRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.post('/api/v1/conversions', async (ctx) => {
    const productId = await authenticateProduct(deps, ctx);
    const body = validate(ConversionBody, ctx.request.body);
    const result = await recordConversion(
      deps,
      productId,
      { ...body, occurredAt: body.occurredAt ?? new Date().toISOString() },
      { requestId: ctx.state.requestId as string, actor: { kind: 'advertiser', id: productId }, sourceIp: ctx.ip },
    );
    ctx.status = result.duplicate ? 200 : 201;
    ctx.body = { success: true, ...result };
  });

  return router;
}
