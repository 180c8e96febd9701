import { bodyParser } from '@koa/bodyparser';
import type { Context, Next } from 'koa';
import type { IncomingMessage } from 'node:http';
import { AppError, errors } from '../errors.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** What may come before a strict JSON body's first `{` or `[` (JSON's own whitespace). */
const STRICT_START = /^[ \t\n\r]*[[{]/;

/** `application/json`, whatever its case and parameters (`; charset=utf-8`). */
function isJson(contentType: string): boolean {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

/**
 * The request's body as UTF-8 text, refused with a 413 once it passes `limit` bytes (at once
 * when Content-Length says so); a body that cannot be read to its end (the client went away) is
 * a 400 it will not read.
 */
function readText(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(errors.tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const fail = (err: AppError) => {
      cleanup();
      // Whatever else arrives is read and dropped by Node once the answer is sent.
      req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return fail(errors.tooLarge());
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8'));
    };
    // Also how a client that goes away mid-body shows (ECONNRESET, 'aborted').
    const onError = () => fail(errors.malformedBody('Request body could not be read'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** The strict JSON body (an object or an array) of `text`; a byte-order mark is allowed before it. */
function parseStrict(text: string): unknown {
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!STRICT_START.test(json)) throw errors.malformedBody('Request body must be a JSON object');
  try {
    return JSON.parse(json);
  } catch {
    throw errors.malformedBody();
  }
}

/**
 * JSON bodies only, with a small limit: a body of any other type is a 415, malformed JSON a
 * 400 and an oversized one a 413 (rendered by errorHandler). An empty body reads as `{}`.
 * Plain bodies, nearly every request, are read here in one pass; a compressed one
 * (Content-Encoding) goes through @koa/bodyparser, which inflates it.
 */
export function jsonBody(limit = 64 * 1024) {
  const inflating = bodyParser({ enableTypes: ['json'], parsedMethods: [...WITH_BODY], jsonLimit: limit, jsonStrict: true, encoding: 'utf-8' });
  return async (ctx: Context, next: Next) => {
    if (!WITH_BODY.has(ctx.method)) return next();
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (!hasBody) {
      ctx.request.body = {};
      return next();
    }
    if (!isJson(ctx.get('content-type'))) throw errors.unsupportedContentType();
    const encoding = ctx.get('content-encoding').toLowerCase();
    if (encoding === '' || encoding === 'identity') {
      const text = await readText(ctx.req, limit);
      ctx.request.body = text === '' ? {} : parseStrict(text);
    } else {
      await inflating(ctx, async () => undefined);
      if (ctx.request.body === undefined) ctx.request.body = {};
    }
    const bad = unsafePath(ctx.request.body, []);
    if (bad) throw errors.validation(bad.path || 'body', `${bad.path || 'body'}: ${bad.why}`);
    return next();
  };
}

/**
 * The first place of the body PostgreSQL or JavaScript cannot take as it is: a string (or key)
 * holding a NUL character (text cannot store one), or a `__proto__` key or a `constructor`
 * with a `prototype` (copied onto another object, they would change its prototype). The path
 * is '' for the body itself; undefined when there is none.
 */
function unsafePath(value: unknown, path: string[]): { path: string; why: string } | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? { path: path.join('.'), why: 'must not contain NUL characters' } : undefined;
  if (value && typeof value === 'object') {
    // The path grows and shrinks in place: a clean body (nearly all) allocates nothing here.
    for (const key in value) {
      if (key.includes('\u0000')) return { path: path.join('.'), why: 'must not contain NUL characters' };
      const child = (value as Record<string, unknown>)[key];
      if (key === '__proto__' || (key === 'constructor' && child && typeof child === 'object' && Object.hasOwn(child, 'prototype'))) {
        return { path: path.join('.'), why: `must not have a ${key} key` };
      }
      path.push(key);
      const found = unsafePath(child, path);
      path.pop();
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
