import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/metrics.js';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate, type AffiliateSetup } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { waitFor } from '../support/spawnLeadgate.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (no escaped quotes in leadgate's label values). */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not an exposition line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The value of the one sample with this name and (at least) these labels; 0 when there is none. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  expect(found.length, `${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
  return found[0]?.value ?? 0;
}

describe.each(['postgres+redis', 'postgres'] as const)('GET /metrics (%s)', (shape) => {
  let server: TestServer;
  let aff: AffiliateSetup;
  let api: HttpSession;

  const scrape = async () => {
    const res = await new HttpSession(server.url).get<string>('/metrics');
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return { text: res.text, samples: parseExposition(res.text) };
  };

  beforeAll(async () => {
    server = await startTestServer(shape, { SYNC_WINDOW_MS: '5000' });
    const crm = await startFakeCrm((call) => (String(call.json?.email ?? '').includes('+reject') ? { body: { status: 'error', message: 'Email already registered' } } : {}));
    aff = await setupAffiliate(server, { crmUrl: crm.url });
    api = HttpSession.withToken(server.url, aff.apiKey);
  });

  it('counts leads by outcome, refusals by code and CRM attempts by integration after a scenario', async () => {
    const before = (await scrape()).samples;
    const delivered = await api.post('/api/v1/leads', leadBody(aff.campaignId));
    expect(delivered.status, delivered.text).toBe(200);
    expect((await api.post('/api/v1/leads', leadBody(aff.campaignId, { email: `x+reject.${Date.now()}@example.com` }))).status).toBe(422);
    expect((await api.post('/api/v1/leads', leadBody(aff.campaignId, { email: 'not-an-email' }))).status).toBe(400);
    const dup = leadBody(aff.campaignId);
    expect((await api.post('/api/v1/leads', dup)).status).toBe(200);
    expect((await api.post('/api/v1/leads', dup)).status).toBe(409);
    expect((await new HttpSession(server.url).post('/api/v1/leads', leadBody(aff.campaignId))).status).toBe(401);
    expect((await api.get(`/api/v1/leads/${delivered.body.leadId}`)).status).toBe(200);

    const { text, samples } = await scrape();
    const moved = (name: string, labels: Record<string, string>) => value(samples, name, labels) - value(before, name, labels);
    expect(moved('leadgate_intake_leads_total', { outcome: 'delivered' })).toBe(2);
    expect(moved('leadgate_intake_leads_total', { outcome: 'rejected' })).toBe(1);
    expect(moved('leadgate_intake_leads_total', { outcome: 'refused' })).toBe(2);
    expect(moved('leadgate_intake_leads_total', { outcome: 'duplicate' })).toBe(1);
    expect(moved('leadgate_intake_refusals_total', { code: 'validation.email' })).toBe(1);
    expect(moved('leadgate_intake_refusals_total', { code: 'duplicate' })).toBe(1);
    expect(moved('leadgate_intake_refusals_total', { code: 'auth.missing_token' })).toBe(1);
    expect(moved('leadgate_delivery_attempts_total', { integration: aff.integrationId, outcome: 'delivered' })).toBe(2);
    expect(moved('leadgate_delivery_attempts_total', { integration: aff.integrationId, outcome: 'rejected' })).toBe(1);
    expect(moved('leadgate_delivery_duration_seconds_count', { integration: aff.integrationId })).toBe(3);

    // Latency by route pattern and status, never by the raw URL.
    expect(moved('leadgate_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/leads', status: '200' })).toBe(2);
    expect(moved('leadgate_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/leads', status: '409' })).toBe(1);
    expect(moved('leadgate_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/leads/:leadId', status: '200' })).toBe(1);
    expect(text).not.toContain(delivered.body.leadId);
    expect(text).not.toContain(aff.apiKey);
    // prom-client's process metrics come along.
    expect(value(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('reads queue depth and age and projection lag at scrape time', async () => {
    const { samples } = await scrape();
    for (const queue of ['delivery', 'postbacks']) {
      for (const state of ['wait', 'active', 'delayed', 'failed', 'completed']) {
        expect(samples.some((s) => s.name === 'leadgate_queue_jobs' && s.labels.queue === queue && s.labels.state === state), `${queue} ${state}`).toBe(true);
      }
      expect(value(samples, 'leadgate_queue_oldest_waiting_seconds', { queue })).toBeGreaterThanOrEqual(0);
    }
    // Finished delivery jobs are kept an hour for the board: the scenario's are there.
    expect(value(samples, 'leadgate_queue_jobs', { queue: 'delivery', state: 'completed' })).toBeGreaterThanOrEqual(3);
    expect(value(samples, 'leadgate_metrics_collect_failures_total')).toBe(0);
    await waitFor(async () => {
      const now = (await scrape()).samples;
      const lags = now.filter((s) => s.name === 'leadgate_projection_lag_events');
      return lags.length >= 2 && lags.every((s) => s.value === 0) ? true : undefined;
    }, 20_000, 'the projections to catch up');
  }, 60_000);

  it('counts postback outcomes reported by the postback worker', async () => {
    server.runtime.deps.metrics.postbackOutcome('delivered');
    server.runtime.deps.metrics.postbackOutcome('delivered');
    server.runtime.deps.metrics.postbackOutcome('failed');
    const { samples } = await scrape();
    expect(value(samples, 'leadgate_postbacks_total', { outcome: 'delivered' })).toBeGreaterThanOrEqual(2);
    expect(value(samples, 'leadgate_postbacks_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(1);
  });
});

describe('Metrics', () => {
  it('keeps a registry of its own, so two apps in one process never collide', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.intakeRefused('auth.invalid_token');
    expect(await a.scrape()).toContain('leadgate_intake_refusals_total{code="auth.invalid_token"} 1');
    expect(await b.scrape()).not.toContain('auth.invalid_token');
  });
});

describe('GET /readyz and projection lag', () => {
  let server: TestServer;
  let aff: AffiliateSetup;

  beforeAll(async () => {
    server = await startTestServer('postgres', { SYNC_WINDOW_MS: '5000' });
    aff = await setupAffiliate(server, { crmUrl: (await startFakeCrm()).url });
  });

  it('reports the lag, answers 503 with the figure past READY_MAX_LAG_EVENTS, and recovers', async () => {
    const ready = await new HttpSession(server.url).get('/readyz');
    expect(ready.status, ready.text).toBe(200);
    expect(ready.body.projections).toMatchObject({ status: 'ok', maxLagEvents: 10_000 });
    expect(ready.body.projections.projections.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['leads_report']));

    // Holding the checkpoint row's lock stalls the projector (it skips locked checkpoints).
    const holder = new pg.Client({ connectionString: server.runtime.deps.config.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(`select name from projection_checkpoints where name = 'leads_report' for update`);
      server.runtime.deps.config.READY_MAX_LAG_EVENTS = 1;
      const res = await HttpSession.withToken(server.url, aff.apiKey).post('/api/v1/leads', leadBody(aff.campaignId));
      expect(res.status, res.text).toBe(200);

      const lagging = await new HttpSession(server.url).get('/readyz');
      expect(lagging.status, lagging.text).toBe(503);
      expect(lagging.headers.get('retry-after')).toBe('5');
      expect(lagging.body.status).toBe('unavailable');
      const report = lagging.body.projections.projections.find((p: { name: string }) => p.name === 'leads_report');
      expect(report.lagEvents).toBeGreaterThanOrEqual(2);
      expect(lagging.body.projections).toMatchObject({ status: 'lagging', maxLagEvents: 1 });
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    await waitFor(async () => ((await new HttpSession(server.url).get('/readyz')).status === 200 ? true : undefined), 20_000, 'readiness after the projector caught up');
  }, 60_000);

  it('leaves the lag out of readiness when READY_MAX_LAG_EVENTS is 0', async () => {
    server.runtime.deps.config.READY_MAX_LAG_EVENTS = 0;
    const res = await new HttpSession(server.url).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.projections).toBeUndefined();
  });
});
