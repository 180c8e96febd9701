import { beforeAll, describe, expect, it } from 'vitest';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { SHAPES, startTestServer, type TestServer } from '../support/testServer.js';

const PAGE = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe.each(SHAPES)('the queue board at /admin/queues (%s)', (shape) => {
  let server: TestServer;
  let manager: HttpSession;

  beforeAll(async () => {
    server = await startTestServer(shape);
    const created = await server.admin.post('/api/admin/employees', { email: `manager.${shape.replace('+', '.')}@example.com`, password: 'manager-password', role: 'manager' });
    expect(created.status, created.text).toBe(201);
    manager = new HttpSession(server.url);
    await manager.login(created.body.email, 'manager-password');
    const crm = await startFakeCrm();
    const aff = await setupAffiliate(server, { crmUrl: crm.url });
    expect((await HttpSession.withToken(server.url, aff.apiKey).post('/api/v1/leads', leadBody(aff.campaignId))).status).toBe(200);
  });

  it("shows an admin the board's page and its static files", async () => {
    const page = await server.admin.get('/admin/queues', PAGE);
    expect(page.status, page.text).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('leadgate queues');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const script = /src="([^"]+\.js)"/.exec(page.text)?.[1];
    expect(script, page.text).toBeDefined();
    const asset = await server.admin.get(new URL(script!, `${server.url}/admin/queues/`).pathname);
    expect(asset.status).toBe(200);
  });

  it("lists the delivery and postback queues, read-only, with the scenario's job", async () => {
    // The lead's answer comes with its outcome's append; BullMQ marks the job completed just
    // after, when the processor returns, so under load the board may not list it yet.
    const board = () => server.admin.get('/admin/queues/api/queues?activeQueue=delivery&status=completed&page=1');
    await expect
      .poll(async () => (await board()).body.queues?.find((q: { name: string }) => q.name === 'delivery')?.counts.completed ?? 0, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(1);
    const res = await board();
    expect(res.status, res.text).toBe(200);
    const names = res.body.queues.map((q: { name: string }) => q.name);
    expect(names).toEqual(expect.arrayContaining(['delivery', 'postbacks']));
    const delivery = res.body.queues.find((q: { name: string }) => q.name === 'delivery');
    expect(delivery.readOnlyMode).toBe(true);
    expect(delivery.counts.completed).toBeGreaterThanOrEqual(1);
    expect(delivery.jobs[0].data).toEqual({ leadId: expect.stringMatching(/^ld_/) });
  });

  it("reports the queue store's stats and each queue's workers", async () => {
    const stats = await server.admin.get('/admin/queues/api/redis/stats');
    expect(stats.status, stats.text).toBe(200);
    expect(stats.body.backend).toBe(shape === 'postgres+redis' ? 'redis' : 'postgres');
    const workers = await server.admin.get('/admin/queues/api/queues/delivery/workers');
    expect(workers.status, workers.text).toBe(200);
  });

  it("labels the board's requests with its own route in the metrics, not the board's inner ones", async () => {
    await server.admin.get('/admin/queues/api/queues');
    const metrics = await server.anonymous.get<string>('/metrics');
    expect(metrics.text).toMatch(/leadgate_http_request_duration_seconds_count\{method="GET",route="\/admin\/queues\{\/\*rest\}",status="200"\} \d+/);
    expect(metrics.text).not.toContain('route="/api/queues"');
  });

  it('refuses a manager with 403 auth.forbidden', async () => {
    const page = await manager.get('/admin/queues', PAGE);
    expect([page.status, page.body.code]).toEqual([403, 'auth.forbidden']);
    const api = await manager.get('/admin/queues/api/queues');
    expect([api.status, api.body.code]).toEqual([403, 'auth.forbidden']);
  });

  it('sends a browser that is not logged in to the login page, and answers a script 401', async () => {
    const page = await server.anonymous.get('/admin/queues', PAGE);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/');
    const api = await server.anonymous.get('/admin/queues/api/queues');
    expect([api.status, api.body.code]).toEqual([401, 'auth.unauthenticated']);
    const token = await HttpSession.withToken(server.url, 'lge_not-a-token').get('/admin/queues/api/queues');
    expect([token.status, token.body.code]).toEqual([401, 'auth.invalid_token']);
  });

  it('refuses to change a job, even for an admin', async () => {
    const res = await server.admin.request('PUT', '/admin/queues/api/queues/delivery/retry/failed', {});
    expect(res.status, res.text).toBe(405);
    expect(res.text).toContain('QUEUE_READ_ONLY');
  });
});
