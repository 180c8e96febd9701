import { bodyParser } from '@koa/bodyparser';
import type { Context, Next } from 'koa';
import { errors } from '../errors.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * JSON bodies only, with a small limit: a body of any other type is a 415, malformed JSON a
 * 400 and an oversized one a 413 (rendered by errorHandler). An empty body reads as `{}`.
 */
export function jsonBody(limit = '64kb') {
  const parse = bodyParser({ enableTypes: ['json'], parsedMethods: [...WITH_BODY], jsonLimit: limit, jsonStrict: true, encoding: 'utf-8' });
  return async (ctx: Context, next: Next) => {
    if (!WITH_BODY.has(ctx.method)) return next();
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (!hasBody) {
      ctx.request.body = {};
      return next();
    }
    if (!ctx.is('application/json')) throw errors.unsupportedContentType();
    await parse(ctx, async () => undefined);
    if (ctx.request.body === undefined) ctx.request.body = {};
    const bad = nulPath(ctx.request.body, []);
    if (bad) throw errors.validation(bad || 'body', `${bad || 'body'}: must not contain NUL characters`);
    return next();
  };
}

/**
 * The path of the first string holding a NUL character (PostgreSQL text cannot store one),
 * '' for the body itself, or undefined when there is none.
 */
function nulPath(value: unknown, path: string[]): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') : undefined;
  if (value && typeof value === 'object') {
    // The path grows and shrinks in place: a clean body (nearly all) allocates nothing here.
    for (const key in value) {
      if (key.includes('\u0000')) return path.join('.');
      path.push(key);
      const found = nulPath((value as Record<string, unknown>)[key], path);
      path.pop();
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
