import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { Context, Next } from 'koa';

/**
 * The headers helmet sets with `options`, worked out once: none depends on the request, and
 * running helmet's chain of middleware per answer cost more than setting the headers.
 */
export function helmetHeaders(options: HelmetOptions): [name: string, value: string][] {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: string) => headers.set(name, value),
    removeHeader: (name: string) => headers.delete(name),
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not set its headers at once');
  return [...headers];
}

/** helmet's headers (nosniff, frame and referrer policies, HSTS, …) on every answer. */
export function securityHeaders(options: HelmetOptions) {
  const headers = helmetHeaders(options);
  return (ctx: Context, next: Next) => {
    for (const [name, value] of headers) ctx.res.setHeader(name, value);
    return next();
  };
}
