import Router from '@koa/router';
import { z } from 'zod';
import { createEmployee, listEmployees } from '../../../commands/employees.js';
import { requireRole } from '../../auth/authenticate.js';
import type { AppDeps } from '../../deps.js';
import { validate } from '../../validate.js';
import { metadataOf } from './context.js';

export const EmployeeBody = z.object({
  email: z.email().max(320),
  // The login form accepts up to 1024 characters; a longer password could never be typed in.
  password: z.string().min(8).max(1024),
  role: z.enum(['admin', 'manager']),
});

/** The console's staff: admins manage them, managers may not even list them. */
export function employeeRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.get('/employees', requireRole('admin'), async (ctx) => {
    ctx.body = { items: await listEmployees(deps) };
  });
  router.post('/employees', requireRole('admin'), async (ctx) => {
    const body = validate(EmployeeBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = await createEmployee(deps, body, metadataOf(ctx));
  });

  return router;
}
