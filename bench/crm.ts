import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Cleanup } from './cleanup.js';
import { onFreePort, spawnTs, waitHttpReady } from './processes.js';

/**
 * The advertiser's CRM for the bench: a bare node:http server, run as its own process, that
 * answers every lead at once with success and an auto-login URL. `GET /stats` tells how many
 * leads it received. Run: `node --import tsx bench/crm.ts <port>`.
 */
export const CRM_LEADS_PATH = '/api/leads';

function start(port: number): void {
  let received = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ received }));
      return;
    }
    req.resume();
    req.on('end', () => {
      received++;
      const id = received;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', data: { login_url: `https://crm.example/login/${id}`, customer_id: `cust-${id}` } }));
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

export interface Crm {
  url: string;
  pid: number;
  leadsUrl: string;
  received(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the CRM as a child process; stopped at cleanup at the latest. */
export async function startCrm(cleanup: Cleanup): Promise<Crm> {
  const { url, child } = await onFreePort(async (port) => {
    const child = spawnTs('crm', fileURLToPath(import.meta.url), [String(port)], { env: {} }, cleanup);
    const url = `http://127.0.0.1:${port}`;
    await waitHttpReady(child, `${url}/stats`);
    return { url, child };
  });
  return {
    url,
    pid: child.pid,
    leadsUrl: `${url}${CRM_LEADS_PATH}`,
    async received() {
      const res = await fetch(`${url}/stats`, { signal: AbortSignal.timeout(5000) });
      return ((await res.json()) as { received: number }).received;
    },
    stop: child.stop,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) start(Number(process.argv[2]));
