import Router from '@koa/router';
import { authenticate } from '../../auth/authenticate.js';
import type { AppDeps } from '../../deps.js';
import { affiliateUserRoutes } from './affiliateUsers.js';
import { affiliateRoutes } from './affiliates.js';
import { apiIntegrationRoutes } from './apiIntegrations.js';
import { apiKeyRoutes } from './apiKeys.js';
import { campaignRoutes } from './campaigns.js';
import { employeeRoutes } from './employees.js';
import { ipWhitelistRoutes } from './ipWhitelist.js';
import { postbackRoutes } from './postbacks.js';
import { postbackDeliveryRoutes } from './postbackDeliveries.js';
import { leadTimelineRoutes } from './leadTimeline.js';
import { integrationTestRoutes } from './integrationTest.js';
import { productRoutes } from './products.js';
import { projectionRoutes } from './projections.js';
import { adminReportRoutes } from '../reports.js';
import { tokenRoutes } from './tokens.js';

/**
 * The admin API (/api/admin): employees only (session or token); affiliate users get 403.
 * Each resource's routes live in their own file and are mounted here.
 */
export function adminRoutes(deps: AppDeps): Router {
  const router = new Router({ prefix: '/api/admin' });
  router.use(authenticate(deps.storage.db, ['admin', 'manager']));
  const children = [
    productRoutes(deps),
    projectionRoutes(deps),
    integrationTestRoutes(deps),
    affiliateRoutes(deps),
    campaignRoutes(deps),
    affiliateUserRoutes(deps),
    apiIntegrationRoutes(deps),
    apiKeyRoutes(deps),
    ipWhitelistRoutes(deps),
    employeeRoutes(deps),
    tokenRoutes(deps),
    postbackRoutes(deps),
    postbackDeliveryRoutes(deps),
    leadTimelineRoutes(deps),
    adminReportRoutes(deps),
  ];
  for (const child of children) {
    router.use(child.routes(), child.allowedMethods());
  }
  return router;
}
