import Router from '@koa/router';
import { z } from 'zod';
import { addIpWhitelistEntry, listIpWhitelist, removeIpWhitelistEntry } from '../../../commands/ipWhitelist.js';
import type { AppDeps } from '../../deps.js';
import { validate } from '../../validate.js';
import { metadataOf } from './context.js';

export const EntryBody = z.object({
  from: z.string().trim().min(1).max(100),
  to: z.string().trim().max(100).nullish(),
});

/** The addresses an affiliate may send leads from: single IPs, From–To ranges and CIDR blocks. */
export function ipWhitelistRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/affiliates/:id/ip-whitelist', async (ctx) => {
    ctx.body = await listIpWhitelist(deps, ctx.params.id!);
  });
  router.post('/affiliates/:id/ip-whitelist', async (ctx) => {
    const body = validate(EntryBody, ctx.request.body);
    const entry = await addIpWhitelistEntry(deps, ctx.params.id!, body, metadataOf(ctx));
    ctx.status = 201;
    ctx.body = entry;
  });
  router.delete('/affiliates/:id/ip-whitelist/:entryId', async (ctx) => {
    await removeIpWhitelistEntry(deps, ctx.params.id!, ctx.params.entryId!, metadataOf(ctx));
    ctx.status = 204;
  });

  return router;
}
