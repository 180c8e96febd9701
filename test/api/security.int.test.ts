import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { OutboundHttp } from '../../src/crm/httpClient.js';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { ADMIN, startTestServer } from '../support/testServer.js';

describe('security of the HTTP surface', () => {
  it('sets helmet-style security headers on API answers', async () => {
    const server = await startTestServer('embedded');
    const res = await fetch(`${server.url}/api/auth/me`);
    expect(res.status).toBe(401);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBeTruthy();
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  describe('behind two trusted proxies', () => {
    it('takes the client IP as the 2nd address from the right of X-Forwarded-For, and marks cookies Secure over TLS', async () => {
      const server = await startTestServer('postgres', { TRUSTED_PROXIES: '2', SYNC_WINDOW_MS: '0' });
      const crm = await startFakeCrm();
      const aff = await setupAffiliate(server, { crmUrl: crm.url, whitelist: ['203.0.113.7'] });
      const api = HttpSession.withToken(server.url, aff.apiKey);
      // client → proxy 1 (adds the client) → proxy 2 (adds proxy 1) → leadgate
      const honest = await api.post('/api/v1/leads', leadBody(aff.campaignId), { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' });
      expect(honest.status, honest.text).toBe(202);
      // A client that puts a whitelisted address first gains nothing: the proxies' entries count.
      const spoofed = await api.post('/api/v1/leads', leadBody(aff.campaignId), { 'x-forwarded-for': '203.0.113.7, 198.51.100.1, 10.0.0.1' });
      expect([spoofed.status, spoofed.body.code]).toEqual([403, 'auth.ip_not_allowed']);
      expect(spoofed.body.error).toContain('198.51.100.1');

      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7, 10.0.0.1' },
        body: JSON.stringify(ADMIN),
      });
      const cookies = login.headers.getSetCookie();
      expect(cookies.find((c) => c.startsWith('lg_session='))).toMatch(/;\s*secure/i);
    });
  });
});

describe('outbound calls to CRMs and postback receivers', () => {
  const servers: http.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));
  async function serve(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('does not follow redirects', async () => {
    let followed = false;
    const target = await serve((_req, res) => {
      followed = true;
      res.end('{"status":"ok"}');
    });
    const url = await serve((_req, res) => res.writeHead(302, { location: target }).end());
    const answer = await new OutboundHttp({ allowPrivate: true }).send({ method: 'POST', url, headers: {}, body: '{}', timeoutMs: 2000 });
    expect(answer).toMatchObject({ kind: 'response', status: 302 });
    expect(followed).toBe(false);
  });

  it('caps the size of a response', async () => {
    const url = await serve((_req, res) => res.end('x'.repeat(2 * 1024 * 1024)));
    const answer = await new OutboundHttp({ allowPrivate: true }).send({ method: 'GET', url, headers: {}, timeoutMs: 5000 });
    expect(answer.kind).toBe('too_large');
  });

  it('holds a call to its whole time limit: no answer, or an answer that trickles in', async () => {
    const silent = await serve(() => undefined);
    const trickle = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // A byte every 100 ms: never idle as long as the body timeout, never done.
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
    });
    const client = new OutboundHttp({ allowPrivate: true });
    for (const url of [silent, trickle]) {
      const started = performance.now();
      const answer = await client.send({ method: 'POST', url, headers: {}, body: '{}', timeoutMs: 600 });
      expect(answer.kind, url).toBe('timeout');
      expect(performance.now() - started, url).toBeGreaterThanOrEqual(550);
      expect(performance.now() - started, url).toBeLessThan(1500);
    }
    await client.close();
  });

  it('sends the path and query as written, and the answer as it came', async () => {
    let seen = '';
    const url = await serve((req, res) => {
      seen = `${req.method} ${req.url} ${req.headers['x-api-key']}`;
      res.writeHead(503, { 'retry-after': '7' }).end('{"error":"busy"}');
    });
    const answer = await new OutboundHttp({ allowPrivate: true }).send({ method: 'PUT', url: `${url}/crm/leads?src=aff%201&x=2#frag`, headers: { 'x-api-key': 'k1' }, body: '{}', timeoutMs: 2000 });
    expect(seen).toBe('PUT /crm/leads?src=aff%201&x=2 k1');
    expect(answer).toMatchObject({ kind: 'response', status: 503, body: '{"error":"busy"}', retryAfter: '7' });
  });

  it('refuses private, loopback and link-local targets unless allowed, at call time too', async () => {
    const url = await serve((_req, res) => res.end('{}'));
    const guarded = new OutboundHttp({ allowPrivate: false });
    for (const target of [url, 'http://[::1]:9/x', 'http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/x', 'http://localhost:9/x']) {
      const answer = await guarded.send({ method: 'GET', url: target, headers: {}, timeoutMs: 1000 });
      expect(answer.kind, target).toBe('network');
    }
    expect((await new OutboundHttp({ allowPrivate: true }).send({ method: 'GET', url, headers: {}, timeoutMs: 1000 })).kind).toBe('response');
    const sandbox = new OutboundHttp({ allowPrivate: false, trustedPrefix: () => `${url}/sandbox/` });
    expect((await sandbox.send({ method: 'GET', url: `${url}/sandbox/crm`, headers: {}, timeoutMs: 1000 })).kind).toBe('response');
  });
});
