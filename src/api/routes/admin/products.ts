import Router from '@koa/router';
import { z } from 'zod';
import { createIntegration, deleteIntegration, getIntegration, listIntegrations, updateIntegration } from '../../../commands/integrations.js';
import { createProduct, getProduct, listProducts, rotateConversionSecret, updateProduct } from '../../../commands/products.js';
import type { AppDeps } from '../../deps.js';
import { validate } from '../../validate.js';
import { metadataOf } from './context.js';

export const ProductBody = z.object({
  name: z.string().trim().min(1).max(200),
  advertiser: z.string().trim().max(200).nullish(),
});
export const ProductPatch = ProductBody.partial().refine((p) => Object.keys(p).length > 0, 'nothing to change');

/** Advertisers & Products, and each product's CRM integrations ("APIs input/output"). */
export function productRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/products', async (ctx) => {
    ctx.body = { items: await listProducts(deps) };
  });
  router.post('/products', async (ctx) => {
    const body = validate(ProductBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = await createProduct(deps, body, metadataOf(ctx));
  });
  router.get('/products/:id', async (ctx) => {
    ctx.body = await getProduct(deps, ctx.params.id!);
  });
  router.patch('/products/:id', async (ctx) => {
    const patch = validate(ProductPatch, ctx.request.body);
    ctx.body = await updateProduct(deps, ctx.params.id!, patch, metadataOf(ctx));
  });
  router.post('/products/:id/conversion-secret/rotate', async (ctx) => {
    ctx.body = await rotateConversionSecret(deps, ctx.params.id!, metadataOf(ctx));
  });

  router.get('/products/:id/integrations', async (ctx) => {
    ctx.body = { items: await listIntegrations(deps, ctx.params.id!) };
  });
  router.post('/products/:id/integrations', async (ctx) => {
    ctx.status = 201;
    ctx.body = await createIntegration(deps, ctx.params.id!, ctx.request.body, metadataOf(ctx));
  });
  router.get('/products/:id/integrations/:integrationId', async (ctx) => {
    ctx.body = await getIntegration(deps, ctx.params.id!, ctx.params.integrationId!);
  });
  router.patch('/products/:id/integrations/:integrationId', async (ctx) => {
    ctx.body = await updateIntegration(deps, ctx.params.id!, ctx.params.integrationId!, ctx.request.body, metadataOf(ctx));
  });
  router.delete('/products/:id/integrations/:integrationId', async (ctx) => {
    await deleteIntegration(deps, ctx.params.id!, ctx.params.integrationId!, metadataOf(ctx));
    ctx.status = 204;
  });

  return router;
}
