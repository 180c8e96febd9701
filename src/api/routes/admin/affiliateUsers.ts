import Router from '@koa/router';
import { z } from 'zod';
import { createAffiliateUser, deleteAffiliateUser, listAffiliateUsers } from '../../../commands/affiliateUsers.js';
import type { AppDeps } from '../../deps.js';
import { validate } from '../../validate.js';
import { metadataOf } from './context.js';

export const UserBody = z.object({
  email: z.email().max(320),
  // The login form accepts up to 1024 characters; a longer password could never be typed in.
  password: z.string().min(8).max(1024),
});

/** The affiliate's own console logins (role `affiliate`). */
export function affiliateUserRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/affiliates/:id/users', async (ctx) => {
    ctx.body = { items: await listAffiliateUsers(deps, ctx.params.id!) };
  });
  router.post('/affiliates/:id/users', async (ctx) => {
    const body = validate(UserBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = await createAffiliateUser(deps, ctx.params.id!, body, metadataOf(ctx));
  });
  router.delete('/affiliates/:id/users/:userId', async (ctx) => {
    await deleteAffiliateUser(deps, ctx.params.id!, ctx.params.userId!, metadataOf(ctx));
    ctx.status = 204;
  });

  return router;
}
