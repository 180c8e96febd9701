import { z } from 'zod';
import type { IntegrationDefinition } from '../events/types/configuration.js';
import { TARGET_MESSAGES, targetProblem } from '../security/targets.js';
import { unknownPlaceholders } from './placeholders.js';

export const MASK = '••••';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const PATH = z.string().trim().min(1).max(200).regex(/^[\w-]+(\.[\w-]+)*$/, 'must be a dot path such as data.login_url');

export interface TargetPolicy {
  allowPrivate: boolean;
  /** The built-in sandbox CRM's base URL: always an allowed target. */
  sandboxBase?: string;
}

/** Every string inside a JSON value, with its path, for placeholder checks. */
function* strings(value: unknown, path: (string | number)[]): Generator<[string, (string | number)[]]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, [...path, i]);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* strings(v, [...path, k]);
}

/** An integration as a manager writes it (API.md, "Integration"), validated on save. */
export function integrationInputSchema(policy: TargetPolicy) {
  return z
    .object({
      type: z.enum(['leads', 'registration']),
      name: z.string().trim().min(1).max(200),
      request: z.object({
        url: z.string().trim().min(1).max(2000),
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH']).default('POST'),
        format: z.enum(['json', 'form']).default('json'),
        headers: z
          .record(z.string().regex(HEADER_NAME, 'must be a valid HTTP header name'), z.string().max(4000))
          .default({}),
        body: z.record(z.string().min(1).max(200), z.unknown()).default({}),
      }),
      response: z
        .object({
          successPath: PATH.optional(),
          successEquals: z.union([z.string().max(500), z.number(), z.boolean()]).optional(),
          autoLoginUrlPath: PATH.optional(),
          externalIdPath: PATH.optional(),
          errorPath: PATH.optional(),
        })
        .default({}),
      timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      retry: z
        .object({
          attempts: z.number().int().min(1).max(20).default(5),
          baseDelayMs: z.number().int().min(0).max(600_000).default(1000),
        })
        .default({ attempts: 5, baseDelayMs: 1000 }),
      dedupe: z
        .object({
          fields: z.array(z.enum(['email', 'phone', 'clickId'])).min(1).default(['email']),
          windowDays: z.number().int().min(0).max(365).default(30),
        })
        .default({ fields: ['email'], windowDays: 30 }),
    })
    .superRefine((input, ctx) => {
      const problem = targetProblem(input.request.url.replace(/\{\{[^}]*\}\}/g, 'x'), policy);
      if (problem) ctx.addIssue({ code: 'custom', path: ['request', 'url'], message: TARGET_MESSAGES[problem] });
      const templated: [string, (string | number)[]][] = [
        [input.request.url, ['request', 'url']],
        ...[...strings(input.request.headers, ['request', 'headers'])],
        ...[...strings(input.request.body, ['request', 'body'])],
      ];
      for (const [text, path] of templated) {
        const unknown = unknownPlaceholders(text);
        if (unknown.length > 0) ctx.addIssue({ code: 'custom', path, message: `unknown placeholder {{${unknown[0]}}}` });
      }
      if (input.request.format === 'form') {
        for (const [key, value] of Object.entries(input.request.body)) {
          if (value !== null && typeof value === 'object') {
            ctx.addIssue({ code: 'custom', path: ['request', 'body', key], message: 'form bodies take flat values only, not nested objects or arrays' });
          }
        }
      }
      if (input.response.successEquals !== undefined && !input.response.successPath) {
        ctx.addIssue({ code: 'custom', path: ['response', 'successPath'], message: 'is required when successEquals is set' });
      }
    });
}

export type IntegrationInput = z.infer<ReturnType<typeof integrationInputSchema>>;

/** Splits an input into what the log may hold (the definition) and what gets sealed (header values). */
export function splitSecrets(input: IntegrationInput): { definition: IntegrationDefinition; headers: Record<string, string> } {
  const { headers, ...request } = input.request;
  return {
    definition: {
      request: { ...request, headerNames: Object.keys(headers) },
      response: input.response,
      timeoutMs: input.timeoutMs,
      retry: input.retry,
      dedupe: input.dedupe,
    },
    headers,
  };
}

/** The definition as the admin API shows it: every header value masked. */
export function maskedRequest(definition: IntegrationDefinition) {
  const { headerNames, ...request } = definition.request;
  return { ...request, headers: Object.fromEntries(headerNames.map((name) => [name, MASK])) };
}
