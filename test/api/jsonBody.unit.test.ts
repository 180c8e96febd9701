import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../src/api/middleware/errorHandler.js';
import { jsonBody } from '../../src/api/middleware/jsonBody.js';
import { helmetHeaders, securityHeaders } from '../../src/api/middleware/securityHeaders.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** The body reader (and the security headers) in front of a handler that echoes what it got. */
let server: http.Server;
let port: number;
let handled = 0;
/** The codes jsonBody refused with, answered or not (a client gone mid-body reads nothing). */
const refused: string[] = [];

beforeAll(async () => {
  const app = new Koa();
  app.silent = true;
  app.use(securityHeaders({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));
  app.use(errorHandler());
  app.use(async (_ctx, next) => {
    try {
      await next();
    } catch (err) {
      refused.push((err as { code?: string }).code ?? 'unknown');
      throw err;
    }
  });
  app.use(jsonBody(1024));
  app.use((ctx) => {
    handled++;
    ctx.body = { got: ctx.request.body };
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => server.close(r)));

/** One request as written: `chunks` are sent one by one (chunked unless a Content-Length is given). */
function send(headers: Record<string, string>, chunks: (string | Buffer)[], method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: '/', headers: { connection: 'close', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> }));
    });
    // The server may answer (413) and close before the whole body is written.
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const json = (text: string | Buffer, extra: Record<string, string> = {}) =>
  send({ 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...extra }, [text]);

describe('JSON request bodies', () => {
  it('reads a body sent whole, chunked, split inside a multi-byte character, or behind a byte-order mark', async () => {
    expect((await json('{"name":"Zoë","n":[1,2]}')).body.got).toEqual({ name: 'Zoë', n: [1, 2] });
    const bytes = Buffer.from('{"name":"João"}');
    const split = bytes.indexOf(0xc3) + 1;
    const chunked = await send({ 'content-type': 'application/json; charset=UTF-8' }, [bytes.subarray(0, split), bytes.subarray(split)]);
    expect(chunked.body.got).toEqual({ name: 'João' });
    expect((await json('\ufeff {"a":1}')).body.got).toEqual({ a: 1 });
    expect((await json('[1]', { 'content-type': 'Application/JSON' })).body.got).toEqual([1]);
  });

  it('reads no body as {}, and a compressed one through the inflating parser', async () => {
    expect((await send({}, [], 'POST')).body.got).toEqual({});
    const gz = gzipSync('{"zipped":true}');
    expect((await send({ 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gz.length) }, [gz])).body.got).toEqual({ zipped: true });
  });

  it('answers the contract errors: 415 for another type, 400 for malformed or non-object JSON, 413 past the limit', async () => {
    const before = handled;
    const cases: [Promise<Answer>, number, string][] = [
      [send({ 'content-type': 'text/plain', 'content-length': '2' }, ['{}']), 415, 'validation.content_type'],
      [json('{"email":'), 400, 'validation.body'],
      [json('"just a string"'), 400, 'validation.body'],
      [json('12'), 400, 'validation.body'],
      // Declared too large: refused before reading.
      [json(`{"c":"${'x'.repeat(2000)}"}`), 413, 'validation.too_large'],
      // Chunked, so only counting the bytes tells.
      [send({ 'content-type': 'application/json' }, ['{"c":"', 'x'.repeat(700), 'x'.repeat(700), '"}']), 413, 'validation.too_large'],
    ];
    for (const [answer, status, code] of cases) {
      const { status: got, body } = await answer;
      expect([got, body.code]).toEqual([status, code]);
      expect(body).toMatchObject({ success: false, error: expect.any(String) });
    }
    expect(handled).toBe(before);
  });

  it('refuses NUL characters and keys that would reach an object prototype, naming where', async () => {
    const cases: [string, string][] = [
      ['{"a":{"b":"x\\u0000y"}}', 'validation.a.b'],
      ['{"a\\u0000":1}', 'validation.body'],
      ['{"lead":{"__proto__":{"admin":true}}}', 'validation.lead'],
      ['{"constructor":{"prototype":{"admin":true}}}', 'validation.body'],
    ];
    for (const [text, code] of cases) {
      const answer = await json(text);
      expect([answer.status, answer.body.code], text).toEqual([400, code]);
    }
    // A field merely named constructor is fine.
    expect((await json('{"constructor":"x"}')).body.got).toEqual({ constructor: 'x' });
  });

  it('gives up on a client that stops mid-body, and keeps serving', async () => {
    refused.length = 0;
    await new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', 'content-length': '100' } });
      req.on('error', () => resolve());
      req.write('{"a":');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    await expect.poll(() => refused).toEqual(['validation.body']);
    expect((await json('{"after":1}')).body.got).toEqual({ after: 1 });
  });
});

describe('security headers', () => {
  it('are helmet’s, set on every answer, errors included', async () => {
    const expected = helmetHeaders({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
    expect(new Map(expected)).toEqual(
      new Map([
        ['Cross-Origin-Opener-Policy', 'same-origin'],
        ['Cross-Origin-Resource-Policy', 'same-origin'],
        ['Origin-Agent-Cluster', '?1'],
        ['Referrer-Policy', 'no-referrer'],
        ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
        ['X-Content-Type-Options', 'nosniff'],
        ['X-DNS-Prefetch-Control', 'off'],
        ['X-Download-Options', 'noopen'],
        ['X-Frame-Options', 'SAMEORIGIN'],
        ['X-Permitted-Cross-Domain-Policies', 'none'],
        ['X-XSS-Protection', '0'],
      ]),
    );
    for (const answer of [await json('{}'), await json('{')]) {
      for (const [name, value] of expected) expect(answer.headers[name.toLowerCase()], name).toBe(value);
      expect(answer.headers['content-security-policy']).toBeUndefined();
    }
  });
});
