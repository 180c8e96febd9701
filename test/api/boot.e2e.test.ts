import { cleanup } from '../support/cleanup.js';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { boot } from '../../src/runtime.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, redisUrl, uniquePrefix } from '../support/databases.js';
import { spawnLeadgate, waitFor } from '../support/spawnLeadgate.js';
import { SECRET_KEY } from '../support/testServer.js';

describe('leadgate start with no database or Redis configured', () => {
  it('creates ./data, serves /healthz and /readyz (embedded shape), delivers the printed demo curl, and stops on SIGTERM', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'leadgate-start-'));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const run = spawnLeadgate(['start'], { cwd, env: { PORT: String(port), HOST: '127.0.0.1' } });
    const base = `http://127.0.0.1:${port}`;
    const health = await waitFor(async () => {
      const res = await fetch(`${base}/healthz`);
      return res.ok ? res : undefined;
    }, 60_000, `healthz; output so far:\n${run.output()}`);
    expect(await health.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', shape: 'embedded', database: 'ok', queue: { backend: 'postgres', status: 'ok' } });
    expect(existsSync(path.join(cwd, 'data', 'pgdata'))).toBe(true);

    // The printed curl, as a newcomer would paste it: delivered by the sandbox CRM, then a duplicate.
    const printed = await waitFor(async () => /curl -s (\S+) -H 'Authorization: Bearer (\S+)' -H 'Content-Type: application\/json' -d '(.+)'/.exec(run.output()) ?? undefined, 10_000, 'the demo curl');
    const [, leadsUrl, key, body] = printed;
    expect(leadsUrl).toBe(`${base}/api/v1/leads`);
    const send = (json: string) => fetch(leadsUrl!, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: json });
    const first = await send(body!);
    expect(first.status).toBe(200);
    const delivered = (await first.json()) as { success: boolean; autoLoginUrl: string; leadId: string };
    expect(delivered).toMatchObject({ success: true, status: 'delivered', autoLoginUrl: expect.stringContaining('/sandbox/login/') });
    const again = await send(body!);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ success: false, code: 'duplicate', leadId: delivered.leadId });
    const rejected = await send(body!.replace('ana@example.com', 'ana+reject@example.com'));
    expect(rejected.status).toBe(422);
    expect(await rejected.json()).toMatchObject({ status: 'rejected', code: 'crm.rejected', error: 'Lead rejected by the sandbox CRM' });
    expect(run.output()).toMatch(/First admin created: admin@leadgate\.local \/ \S+/);
    // The key and the generated password reach the terminal only, never a log line.
    const logLines = run.output().split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.join('\n')).not.toContain(key!);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});

describe.each(['postgres', 'postgres+redis'] as const)('booting in the %s shape', (shape) => {
  it('reports the shape and both dependencies in /readyz', async () => {
    const database = await createTestDatabase('boot');
    cleanup(() => database.drop());
    const config = loadConfig({
      DATABASE_URL: database.url,
      ...(shape === 'postgres+redis' ? { REDIS_URL: redisUrl(), QUEUE_PREFIX: uniquePrefix('boot') } : {}),
      PORT: '0',
      HOST: '127.0.0.1',
      SECRET_KEY,
    });
    const runtime = await boot(config, { logger: createLogger('silent') });
    try {
      const res = await fetch(`${runtime.url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ready',
        shape,
        database: 'ok',
        queue: { backend: shape === 'postgres' ? 'postgres' : 'redis', status: 'ok' },
      });
      const missing = await fetch(`${runtime.url}/no-such-thing`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ success: false, error: 'Not found', code: 'not_found' });
    } finally {
      await runtime.close();
    }
  });
});
