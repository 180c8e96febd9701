import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { PACKAGE_ROOT } from '../../packageRoot.js';
import type { AppDeps } from '../deps.js';

/** Every path but those of the API and operations, which never answer with the console. */
const CONSOLE_PATH = /^\/(?!(?:api|webapi|sandbox|healthz|readyz|metrics|docs|openapi\.json)(?:\/|$))/;

const DEFAULT_ROOT = path.join(PACKAGE_ROOT, 'src/web/dist');

const HTML_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  // React sets styles through the CSSOM, which style-src does not govern; the SVG charts are inline markup.
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
};

const MISSING_BUILD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>leadgate console not built</title></head>
<body>
<h1>The console is not built</h1>
<p>This server has no web console build (<code>src/web/dist</code>). Run <code>npm run build:web</code>, or start with <code>npm start</code>, which builds it when it is missing.</p>
<p>The API is unaffected: see <a href="/docs">/docs</a>.</p>
</body></html>`;

/**
 * Resolves a request path inside `root`, or undefined when it would leave it (`..`, an encoded
 * slash or NUL) or names a dotfile.
 */
export function resolveInside(root: string, requestPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter(Boolean);
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return undefined;
  const resolved = path.resolve(root, ...segments);
  return resolved.startsWith(root.endsWith(path.sep) ? root : root + path.sep) ? resolved : undefined;
}

async function fileAt(file: string | undefined) {
  if (!file) return undefined;
  try {
    const s = await stat(file);
    return s.isFile() ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Sends a file with its validators (ETag, Last-Modified): a fresh conditional GET is a 304; HEAD opens nothing. */
export async function send(ctx: Context, file: string, size: number, mtime: Date, cacheControl: string): Promise<void> {
  ctx.set('Cache-Control', cacheControl);
  ctx.lastModified = mtime;
  ctx.etag = `W/"${size.toString(16)}-${Math.floor(mtime.getTime()).toString(16)}"`;
  ctx.type = path.extname(file);
  // Koa judges freshness only for a 2xx answer.
  ctx.status = 200;
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.length = size;
  // Koa answers HEAD without reading the body: opening the file would only leak its descriptor.
  if (ctx.method !== 'HEAD') ctx.body = createReadStream(file);
}

/**
 * The web console: src/web/dist's files, and its index.html for any other page a browser asks
 * for (client-side routing). Requests that do not accept HTML fall through to the 404, so a
 * mistyped URL from a script still gets the JSON error. Registered last, after every API router.
 */
export function webRoutes(_deps: AppDeps, options: { root?: string } = {}): Router {
  const root = path.resolve(options.root ?? DEFAULT_ROOT);
  const index = path.join(root, 'index.html');
  const router = new Router();

  router.get(CONSOLE_PATH, async (ctx: Context, next: Next) => {
    const file = ctx.path === '/' ? undefined : resolveInside(root, ctx.path);
    const asset = await fileAt(file);
    if (asset && file && file !== index) {
      // Vite puts content-hashed names under /assets: they never change, so browsers keep them.
      const immutable = file.startsWith(path.join(root, 'assets') + path.sep);
      await send(ctx, file, asset.size, asset.mtime, immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
      return;
    }
    if (!ctx.accepts('html') || (ctx.headers.accept ?? '*/*').trim() === '*/*' || path.extname(ctx.path) !== '') return next();
    const page = await fileAt(index);
    if (!page) {
      ctx.status = 503;
      ctx.set({ 'Retry-After': '30', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      ctx.type = 'html';
      ctx.body = MISSING_BUILD;
      return;
    }
    ctx.set(HTML_HEADERS);
    await send(ctx, index, page.size, page.mtime, 'no-cache');
  });

  return router;
}
