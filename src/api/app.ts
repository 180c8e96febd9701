import Koa from 'koa';
import type { AppDeps } from './deps.js';
import { errorHandler } from './middleware/errorHandler.js';
import { requestContext } from './middleware/requestContext.js';
import { securityHeaders } from './middleware/securityHeaders.js';
import { jsonBody } from './middleware/jsonBody.js';
import { httpMetrics } from './middleware/metrics.js';
import { adminRoutes } from './routes/admin/index.js';
import { authRoutes } from './routes/auth.js';
import { conversionRoutes } from './routes/conversions.js';
import { healthRoutes } from './routes/health.js';
import { intakeRoutes } from './routes/intake.js';
import { openApiRoutes } from './routes/openapi.js';
import { queueBoardRoutes } from './routes/queueBoard.js';
import { reportRoutes } from './routes/reports.js';
import { sandboxRoutes } from './routes/sandbox.js';
import { webRoutes } from './routes/web.js';

/** The HTTP application: intake, admin, reports and operations under one Koa app. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: deps.config.TRUSTED_PROXIES > 0, maxIpsCount: deps.config.TRUSTED_PROXIES });
  // Errors are rendered and logged by errorHandler; Koa's default stderr printing would duplicate them.
  app.silent = true;
  // helmet's defaults (nosniff, frame and referrer policies, HSTS, …) on every answer; the
  // console's pages set their own Content-Security-Policy in webRoutes.
  app.use(securityHeaders({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));
  app.use(requestContext(deps.logger));
  app.use(httpMetrics(deps.metrics));
  app.use(errorHandler());
  app.use(jsonBody());
  for (const router of [healthRoutes(deps), authRoutes(deps), intakeRoutes(deps), conversionRoutes(deps), reportRoutes(deps), sandboxRoutes(deps), adminRoutes(deps), queueBoardRoutes(deps), openApiRoutes(deps), webRoutes(deps)]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  app.use(async (ctx, next) => {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404;
      ctx.body = { success: false, error: 'Not found', code: 'not_found' };
    }
  });
  return app;
}
