import Router from '@koa/router';
import { z } from 'zod';
import { DUMMY_HASH, verifyPassword } from '../../security/passwords.js';
import { authenticate, principalOf } from '../auth/authenticate.js';
import { LoginThrottle } from '../auth/loginThrottle.js';
import { roleOf } from '../auth/principal.js';
import { endSession, startSession } from '../auth/sessions.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { validate } from '../validate.js';

export const LoginBody = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) });

/** Console login for employees and affiliate users, logout, and who am I. */
export function authRoutes(deps: AppDeps): Router {
  const { db } = deps.storage;
  const throttle = new LoginThrottle(db);
  const router = new Router({ prefix: '/api/auth' });

  router.post('/login', async (ctx) => {
    const { email, password } = validate(LoginBody, ctx.request.body);
    const keys = [`email:${email.toLowerCase()}`, `ip:${ctx.ip}`];
    await throttle.assertAllowed(keys);

    const employee = await db.selectFrom('employees').select(['id', 'password_hash']).where(({ fn, eb }) => eb(fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
    const user = employee
      ? undefined
      : await db.selectFrom('affiliate_users').select(['id', 'password_hash']).where(({ fn, eb }) => eb(fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
    const account = employee ?? user;
    const ok = await verifyPassword(password, account?.password_hash ?? DUMMY_HASH);
    if (!account || !ok) {
      await throttle.recordFailure(keys);
      throw new AppError(401, 'auth.unauthenticated', 'Wrong email or password');
    }
    await throttle.clear([keys[0]!]);
    const { csrfToken } = await startSession(db, ctx, { kind: employee ? 'employee' : 'affiliate_user', id: account.id });
    ctx.body = { success: true, csrfToken };
  });

  router.post('/logout', async (ctx) => {
    await endSession(db, ctx);
    ctx.status = 204;
  });

  router.get('/me', authenticate(db, ['admin', 'manager', 'affiliate']), (ctx) => {
    const principal = principalOf(ctx);
    ctx.body = {
      id: principal.id,
      email: principal.email,
      role: roleOf(principal),
      kind: principal.kind,
      affiliateId: principal.kind === 'affiliate_user' ? principal.affiliateId : undefined,
    };
  });

  return router;
}
