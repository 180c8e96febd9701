import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { jsonResponse, pathParams, security } from './components.js';

const Readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  shape: z.enum(['embedded', 'postgres', 'postgres+redis']).meta({ description: 'The storage shape in use.' }),
  database: z.string().meta({ description: '`ok`, or why it is unreachable.' }),
  queue: z.object({ backend: z.string(), status: z.string() }).optional(),
  projections: z
    .object({
      status: z.enum(['ok', 'lagging', 'unknown']),
      maxLagEvents: z.number().int(),
      projections: z.array(z.object({ name: z.string(), lagEvents: z.number().int(), lagSeconds: z.number(), replaying: z.boolean() })),
    })
    .optional()
    .meta({ description: 'Absent when READY_MAX_LAG_EVENTS is 0.' }),
});

const SandboxAnswer = z.object({
  status: z.enum(['ok', 'error']),
  message: z.string().optional(),
  data: z.object({ customer_id: z.string(), login_url: z.string() }).optional(),
});

const operation = { tags: ['Operations'], security: security.none };

/** Health, readiness, metrics, this document, and the built-in sandbox CRM. */
export const operationPaths: ZodOpenApiPathsObject = {
  '/healthz': {
    get: { ...operation, operationId: 'healthz', summary: 'Liveness: the process answers', responses: { 200: jsonResponse('Up.', z.object({ status: z.literal('ok') })) } },
  },
  '/readyz': {
    get: {
      ...operation,
      operationId: 'readyz',
      summary: 'Readiness: database and queue reachable, projections keeping up',
      responses: {
        200: jsonResponse('Ready.', Readiness),
        503: { ...jsonResponse('Not ready; with Retry-After.', Readiness), headers: z.object({ 'Retry-After': z.string() }) },
      },
    },
  },
  '/metrics': {
    get: {
      ...operation,
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      description: 'Counts, route patterns and ids, no lead data; reach it from the monitoring network only.',
      responses: { 200: { description: 'The Prometheus text exposition format.', content: { 'text/plain': { schema: z.string() } } } },
    },
  },
  '/openapi.json': {
    get: { ...operation, operationId: 'openapi', summary: 'This document (OpenAPI 3.1)', responses: { 200: jsonResponse('The document.', z.record(z.string(), z.unknown())) } },
  },
  '/sandbox/crm': {
    post: {
      tags: ['Sandbox CRM'],
      security: security.none,
      operationId: 'sandboxCrm',
      summary: 'The built-in sandbox CRM the demo integration calls',
      description: 'Answers by the email: `+reject` rejects, `+duplicate` says already registered, `+slow` answers after 15 s, `+error` is a 500; anything else succeeds with an auto-login URL.',
      requestBody: { content: { 'application/json': { schema: z.object({ email: z.string() }).catchall(z.unknown()) } } },
      responses: {
        200: jsonResponse('Accepted (`status: ok`) or refused (`status: error`).', SandboxAnswer),
        400: jsonResponse('No email.', SandboxAnswer),
        500: jsonResponse('The `+error` case.', SandboxAnswer),
      },
    },
  },
  '/sandbox/login/{customerId}': {
    get: {
      tags: ['Sandbox CRM'],
      security: security.none,
      operationId: 'sandboxLogin',
      summary: "The sandbox CRM's auto-login page",
      requestParams: { path: pathParams('/sandbox/login/{customerId}') },
      responses: { 200: { description: 'A placeholder page.', content: { 'text/html': { schema: z.string() } } } },
    },
  },
};
