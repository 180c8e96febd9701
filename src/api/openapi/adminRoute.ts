import type { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import { employeeSecurity, errorResponses, jsonContent, pathParams } from './components.js';

type Method = 'get' | 'post' | 'patch' | 'delete';

/** One console route as its module declares it: what it takes and what it answers on success. */
export interface AdminRoute {
  id: string;
  summary: string;
  description?: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Success answers by status. */
  answers: ZodOpenApiResponsesObject;
  /** Admins only: managers get 403 too. */
  adminOnly?: boolean;
}

/**
 * The console routes of one area as OpenAPI operations: all under /api/admin, all for
 * employees (token, or session with CSRF on writes); the errors every such route can answer
 * are added here, so each area lists only what is its own.
 */
export function adminPaths(tag: string, routes: Record<string, Partial<Record<Method, AdminRoute>>>): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const [path, methods] of Object.entries(routes)) {
    const full = `/api/admin${path}`;
    const params = pathParams(full);
    const item: Partial<Record<Method, ZodOpenApiOperationObject>> = {};
    for (const [method, route] of Object.entries(methods) as [Method, AdminRoute][]) {
      item[method] = {
        operationId: route.id,
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        tags: [tag],
        security: employeeSecurity(method),
        requestParams: { ...(params ? { path: params } : {}), ...(route.query ? { query: route.query } : {}) },
        ...(route.body ? { requestBody: { required: true, content: jsonContent(route.body) } } : {}),
        responses: {
          ...route.answers,
          ...errorResponses({
            ...(route.body || route.query ? { 400: '`validation.<field>`.' } : {}),
            401: '`auth.unauthenticated`, or `auth.invalid_token` for an unknown or revoked employee token.',
            403: route.adminOnly
              ? '`auth.forbidden`: admins only; or `auth.csrf`: a session request without its X-CSRF-Token.'
              : '`auth.forbidden`: not an employee (an affiliate user); or `auth.csrf`: a session request without its X-CSRF-Token.',
            ...(params ? { 404: '`not_found`.' } : {}),
            ...(method === 'get' ? {} : { 409: '`conflict`: two edits of the same thing raced; retry.' }),
          }),
        },
      };
    }
    paths[full] = item;
  }
  return paths;
}
