import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../src/api/deps.js';
import { resolveInside, webRoutes } from '../../src/api/routes/web.js';

/** A bare Koa app with only the console's routes and the JSON 404 after them, as app.ts mounts them. */
async function serve(root: string) {
  const app = new Koa();
  const router = webRoutes({} as AppDeps, { root });
  app.use(router.routes()).use(router.allowedMethods());
  app.use(async (ctx, next) => {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404;
      ctx.body = { success: false, error: 'Not found', code: 'not_found' };
    }
  });
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A raw GET: fetch would normalise `..` and encoded slashes away before they reach the server,
 * and adds `Cache-Control: no-cache` to a conditional request.
 */
function rawGet(base: string, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('serving the built console', () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'leadgate-web-'));
    root = path.join(parent, 'dist');
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>console</title><div id="root"></div>');
    writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(path.join(root, '.env'), 'SECRET=1');
    writeFileSync(path.join(parent, 'outside.txt'), 'outside');
    base = await serve(root);
  });

  it('serves hashed assets with their content type and a year of immutable caching', async () => {
    const res = await fetch(`${base}/assets/index-abc123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^(application|text)\/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe('console.log(1)');
    const svg = await fetch(`${base}/favicon.svg`);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(svg.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('answers HEAD with the headers a GET would have and no body', async () => {
    const res = await fetch(`${base}/assets/index-abc123.js`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String('console.log(1)'.length));
    expect(await res.text()).toBe('');
  });

  it('answers a repeat request with 304 when the ETag matches', async () => {
    const first = await fetch(`${base}/assets/index-abc123.js`);
    const again = await rawGet(base, '/assets/index-abc123.js', { 'if-none-match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
  });

  it('answers any page a browser navigates to with index.html, uncached and framed by nobody', async () => {
    for (const page of ['/', '/products', '/affiliates/a_1/api', '/reports/leads?from=2026-01-01']) {
      const res = await fetch(`${base}${page}`, { headers: HTML });
      expect(res.status, page).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await res.text()).toContain('<div id="root">');
    }
  });

  it('leaves API paths, non-HTML requests and missing files to the JSON 404', async () => {
    for (const [page, accept] of [
      ['/api/admin/nothing', HTML.accept],
      ['/healthz-not', '*/*'],
      ['/no-such-thing', '*/*'],
      ['/assets/missing.js', HTML.accept],
      ['/openapi.json', HTML.accept],
    ] as const) {
      const res = await fetch(`${base}${page}`, { headers: { accept } });
      expect(res.status, page).toBe(404);
      expect(await res.json()).toEqual({ success: false, error: 'Not found', code: 'not_found' });
    }
  });

  it('never serves a file outside the build or a dotfile', async () => {
    for (const raw of ['/../outside.txt', '/assets/..%2f..%2foutside.txt', '/%2e%2e/outside.txt', '/.env', '/assets/%00.js', '/%E0%A4%A']) {
      const res = await rawGet(base, raw, { accept: '*/*' });
      expect(res.status, raw).toBe(404);
      expect(res.body, raw).not.toContain('outside');
      expect(res.body, raw).not.toContain('SECRET');
    }
    expect(resolveInside(root, '/assets/index-abc123.js')).toBe(path.join(root, 'assets', 'index-abc123.js'));
    expect(resolveInside(root, '/assets/..%2F..%2Foutside.txt')).toBeUndefined();
    expect(resolveInside(root, '/a\\..\\..\\outside.txt')).toBeUndefined();
  });

  it('without a build, answers pages with a 503 that says how to build it', async () => {
    const bare = await serve(path.join(root, 'no-dist-here'));
    const res = await fetch(`${bare}/products`, { headers: HTML });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:web');
  });
});
