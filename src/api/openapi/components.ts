import { z } from 'zod';
import type { oas31, ZodOpenApiResponseObject, ZodOpenApiResponsesObject, ZodOpenApiSecuritySchemeObject } from 'zod-openapi';
import { SESSION_COOKIE } from '../auth/sessions.js';

/** The contract's error body (API.md, "Errors"); some errors add fields, such as a duplicate's `leadId`. */
export const ErrorBody = z
  .looseObject({
    success: z.literal(false),
    error: z.string().meta({ description: 'For people; never carries a secret.', example: 'API key has expired' }),
    code: z.string().meta({ description: 'Stable machine code: `validation.<field>`, `auth.*`, `not_found`, `duplicate`, `crm.*`, `rate_limited`, `unavailable`, `internal`.', example: 'auth.token_expired' }),
  })
  .meta({ description: 'Every error answer has this shape.' });

/** How each kind of caller proves who it is (API.md: affiliate key, conversion secret, employee token, console session). */
export const securitySchemes: Record<string, ZodOpenApiSecuritySchemeObject> = {
  apiKeyBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'lg_…', description: "The affiliate's API key as `Authorization: Bearer lg_…`. The client IP must be on the affiliate's whitelist." },
  apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: "The affiliate's API key in `X-Api-Key`. The client IP must be on the affiliate's whitelist." },
  conversionSecret: { type: 'apiKey', in: 'header', name: 'X-Conversion-Secret', description: "The product's conversion secret, shown on the product's page." },
  employeeToken: { type: 'http', scheme: 'bearer', bearerFormat: 'lge_…', description: 'An employee token for automation (`POST /api/admin/tokens`); no CSRF header needed.' },
  consoleSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The console session cookie set by `POST /api/auth/login`.' },
  csrfToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-CSRF-Token',
    description: 'The `lg_csrf` cookie\'s value (also returned by login), required with the session cookie on every state-changing request.',
  },
};

export type SecurityRequirements = oas31.SecurityRequirementObject[];

/** Each list is a set of alternatives: any one entry satisfies it. */
export const security: Record<'affiliateKey' | 'conversionSecret' | 'employeeRead' | 'employeeWrite' | 'none', SecurityRequirements> = {
  affiliateKey: [{ apiKeyBearer: [] }, { apiKeyHeader: [] }],
  conversionSecret: [{ conversionSecret: [] }],
  /** Reads: an employee token, or the session cookie alone. */
  employeeRead: [{ employeeToken: [] }, { consoleSession: [] }],
  /** Writes: an employee token, or the session cookie with its CSRF header. */
  employeeWrite: [{ employeeToken: [] }, { consoleSession: [], csrfToken: [] }],
  none: [],
};

/** The requirement a console route's method needs: safe methods skip the CSRF check. */
export function employeeSecurity(method: string): SecurityRequirements {
  return method === 'get' ? security.employeeRead : security.employeeWrite;
}

const RetryAfter = z.object({ 'Retry-After': z.string().meta({ description: 'Seconds to wait before retrying.' }) });

export function jsonContent(schema: z.ZodType) {
  return { 'application/json': { schema } };
}

export function jsonResponse(description: string, schema: z.ZodType): ZodOpenApiResponseObject {
  return { description, content: jsonContent(schema) };
}

export const noContent: ZodOpenApiResponseObject = { description: 'Done; no body.' };

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 502 | 503 | 504;

/**
 * Error answers by status, each described by the codes it carries, all with the shared error
 * body; a 429 and a 503 carry Retry-After. Every operation also gets `503` (a dependency is
 * down, nothing half-stored) and `default` (500 `internal`), which any route can answer.
 */
export function errorResponses(codes: Partial<Record<ErrorStatus, string>> = {}): ZodOpenApiResponsesObject {
  const all: Partial<Record<ErrorStatus, string>> = { ...codes, 503: codes[503] ?? '`unavailable`: the database or queue is down; retry after Retry-After.' };
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, description] of Object.entries(all)) {
    const withRetry = status === '429' || status === '503';
    responses[status as `${ErrorStatus}`] = { description, content: jsonContent(ErrorBody), ...(withRetry ? { headers: RetryAfter } : {}) };
  }
  responses.default = { description: '`internal`: an unexpected failure, logged with the request id.', content: jsonContent(ErrorBody) };
  return responses;
}

/** The path parameters an OpenAPI path names (`/affiliates/{id}/users/{userId}`), each a string. */
export function pathParams(path: string): z.ZodObject<Record<string, z.ZodString>> | undefined {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (names.length === 0) return undefined;
  return z.object(Object.fromEntries(names.map((name) => [name, z.string().min(1)])));
}

/** An ISO 8601 UTC timestamp as the API writes one (a Date serialised by JSON). */
export const Timestamp = z.iso.datetime();

/** `{ items: [...] }`, the shape of every admin list. */
export function itemsOf(item: z.ZodType) {
  return z.object({ items: z.array(item) });
}

/** `true` only when a documented schema names exactly the fields of the type the code returns. */
export type SameKeys<Returned, Documented> = [keyof Returned] extends [keyof Documented] ? ([keyof Documented] extends [keyof Returned] ? true : false) : false;
