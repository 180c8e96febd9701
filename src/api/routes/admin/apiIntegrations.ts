import Router from '@koa/router';
import { getCountries } from 'libphonenumber-js';
import { z } from 'zod';
import { addApiIntegration, listApiIntegrations, removeApiIntegration, updateApiIntegration } from '../../../commands/apiIntegrations.js';
import type { AppDeps } from '../../deps.js';
import { validate } from '../../validate.js';
import { metadataOf } from './context.js';

// libphonenumber-js's regions: ISO 3166-1 alpha-2 for every country a lead (and its phone) can come from.
const COUNTRIES = new Set<string>(getCountries());

const AllowedCountries = z
  .array(z.string().trim().toUpperCase())
  .min(1, 'use null to allow every country')
  .max(COUNTRIES.size)
  .transform((codes) => [...new Set(codes)])
  .superRefine((codes, ctx) => {
    const unknown = codes.filter((c) => !COUNTRIES.has(c));
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `not ISO 3166-1 alpha-2 country codes: ${unknown.join(', ')}` });
  })
  .nullable();

// A name {{params.<name>}} can reach: the placeholder pattern matches word characters only.
const Params = z
  .record(z.string(), z.string().max(2000))
  .superRefine((params, ctx) => {
    const names = Object.keys(params);
    const bad = names.filter((n) => !/^\w{1,64}$/.test(n));
    if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `names must be 1-64 letters, digits or _: ${bad.join(', ')}` });
    if (names.length > 50) ctx.addIssue({ code: 'custom', message: 'at most 50 params' });
  });

const Settings = z.object({
  enabled: z.boolean(),
  allowedCountries: AllowedCountries,
  dailyCap: z.int32().min(1).nullable(),
  params: Params,
});
export const ApiIntegrationBody = z.object({
  integrationId: z.string().trim().min(1).max(100),
  enabled: Settings.shape.enabled.default(true),
  allowedCountries: Settings.shape.allowedCountries.default(null),
  dailyCap: Settings.shape.dailyCap.default(null),
  params: Settings.shape.params.default({}),
});
export const ApiIntegrationPatch = Settings.partial().refine((p) => Object.keys(p).length > 0, 'nothing to change');

/** The product integrations enabled for an affiliate, with its country list, daily cap and params for each. */
export function apiIntegrationRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/affiliates/:id/api-integrations', async (ctx) => {
    ctx.body = { items: await listApiIntegrations(deps, ctx.params.id!) };
  });
  router.post('/affiliates/:id/api-integrations', async (ctx) => {
    const body = validate(ApiIntegrationBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = await addApiIntegration(deps, ctx.params.id!, body, metadataOf(ctx));
  });
  router.patch('/affiliates/:id/api-integrations/:apiIntegrationId', async (ctx) => {
    const patch = validate(ApiIntegrationPatch, ctx.request.body);
    ctx.body = await updateApiIntegration(deps, ctx.params.id!, ctx.params.apiIntegrationId!, patch, metadataOf(ctx));
  });
  router.delete('/affiliates/:id/api-integrations/:apiIntegrationId', async (ctx) => {
    await removeApiIntegration(deps, ctx.params.id!, ctx.params.apiIntegrationId!, metadataOf(ctx));
    ctx.status = 204;
  });

  return router;
}
