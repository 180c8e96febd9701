import { cleanup } from './cleanup.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';


export interface CrmCall {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown> | undefined;
}

export interface CrmReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Drop the connection without answering. */
  destroy?: boolean;
}

/**
 * A real local HTTP server standing in for an advertiser's CRM. `reply` decides each answer
 * (by default: success with an auto-login URL); every call is recorded.
 */
export async function startFakeCrm(reply: (call: CrmCall, index: number) => CrmReply | Promise<CrmReply> = () => ({})) {
  const calls: CrmCall[] = [];
  let handler = reply;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', async () => {
      let json: Record<string, unknown> | undefined;
      try {
        json = body ? (JSON.parse(body) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      const call: CrmCall = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json };
      calls.push(call);
      const r = await handler(call, calls.length - 1);
      if (r.delayMs) await new Promise((done) => setTimeout(done, r.delayMs));
      if (r.destroy) return req.socket.destroy();
      const status = r.status ?? 200;
      const payload =
        r.body !== undefined ? r.body : { status: 'ok', data: { login_url: `https://crm.example/login/${calls.length}`, customer_id: `cust-${calls.length}` } };
      res.writeHead(status, { 'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json', ...r.headers });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  cleanup(close);
  return {
    url,
    calls,
    setReply(next: typeof reply) {
      handler = next;
    },
    close,
  };
}
