import { beforeAll, describe, expect, it } from 'vitest';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate, type AffiliateSetup } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { waitFor } from '../support/spawnLeadgate.js';

describe.each(['postgres+redis', 'embedded'] as const)('lead intake and delivery (%s)', (shape) => {
  let server: TestServer;
  let crm: Awaited<ReturnType<typeof startFakeCrm>>;
  let aff: AffiliateSetup;
  let api: HttpSession;

  beforeAll(async () => {
    server = await startTestServer(shape, { SYNC_WINDOW_MS: '5000' });
    crm = await startFakeCrm((call) => {
      const email = String(call.json?.email ?? '');
      if (email.includes('+reject')) return { body: { status: 'error', message: 'Email already registered' } };
      if (email.includes('+4xx')) return { status: 400, body: { message: 'Invalid phone for this CRM' } };
      if (email.includes('+down')) return { status: 503, body: 'Service Unavailable' };
      if (email.includes('+garbage')) return { body: '<html>oops</html>' };
      if (email.includes('+hang')) return { delayMs: 3000 };
      return {};
    });
    aff = await setupAffiliate(server, { crmUrl: crm.url });
    api = HttpSession.withToken(server.url, aff.apiKey);
  });

  it('delivers a lead and answers 200 with the CRM auto-login URL', async () => {
    const body = leadBody(aff.campaignId, { password: 'Secr3t!pass' });
    const res = await api.post('/api/v1/leads', body);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ success: true, status: 'delivered', leadId: expect.stringMatching(/^ld_/), autoLoginUrl: expect.stringMatching(/^https:\/\/crm\.example\/login\//) });
    const call = crm.calls.find((c) => c.json?.email === body.email)!;
    expect(call.json).toMatchObject({ first_name: 'Ana', phone: '+351912345678', country: 'PT', password: 'Secr3t!pass', lead: res.body.leadId });
    expect(call.headers['x-crm-key']).toBe('crm-header-secret-value');
    expect(call.headers['idempotency-key']).toBe(res.body.leadId);

    const status = await api.get(`/api/v1/leads/${res.body.leadId}`);
    expect(status.body).toMatchObject({ success: true, leadId: res.body.leadId, status: 'delivered', autoLoginUrl: res.body.autoLoginUrl, conversions: [] });
  });

  it("fills the affiliate's params in the body and a header, and drops the sealed password once delivered", async () => {
    const request = {
      url: `${crm.url}/api/leads`,
      method: 'POST',
      format: 'json',
      headers: { 'X-Partner': 'code-{{params.partnerCode}}' },
      body: { email: '{{email}}', partner: '{{params.partnerCode}}', lead: '{{leadId}}' },
    };
    const withParams = await setupAffiliate(server, { crmUrl: crm.url, integration: { request }, apiIntegration: { params: { partnerCode: 'P-7' } } });
    const body = leadBody(withParams.campaignId, { password: 'Unused-Pa55' });
    const res = await HttpSession.withToken(server.url, withParams.apiKey).post('/api/v1/leads', body);
    expect(res.status, res.text).toBe(200);
    const call = crm.calls.find((c) => c.json?.email === body.email)!;
    expect(call.json).toEqual({ email: body.email, partner: 'P-7', lead: res.body.leadId });
    expect(call.headers['x-partner']).toBe('code-P-7');
    const sealed = await server.runtime.deps.storage.db.selectFrom('lead_passwords').select('lead_id').where('lead_id', '=', res.body.leadId).execute();
    expect(sealed).toEqual([]);
  });

  it('answers 422 with the CRM message when a 2xx fails the success check, and does not retry', async () => {
    const email = `x+reject.${Date.now()}@example.com`;
    const res = await api.post('/api/v1/leads', leadBody(aff.campaignId, { email }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ success: false, status: 'rejected', code: 'crm.rejected', error: 'Email already registered', leadId: expect.any(String) });
    expect(crm.calls.filter((c) => c.json?.email === email)).toHaveLength(1);
  });

  it('treats a 4xx as a rejection, sent once', async () => {
    const email = `x+4xx.${Date.now()}@example.com`;
    const res = await api.post('/api/v1/leads', leadBody(aff.campaignId, { email }));
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('Invalid phone for this CRM');
    expect(crm.calls.filter((c) => c.json?.email === email)).toHaveLength(1);
  });

  it('rejects a non-JSON 2xx answer as crm.bad_response', async () => {
    const res = await api.post('/api/v1/leads', leadBody(aff.campaignId, { email: `x+garbage.${Date.now()}@example.com` }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'crm.rejected', reason: 'crm.bad_response' });
  });

  it('retries a flaky CRM (503, 503, 200) and delivers with exactly three calls', async () => {
    const email = `flaky.${Date.now()}@example.com`;
    let seen = 0;
    const previous = crm.calls.length;
    crm.setReply((call) => {
      if (call.json?.email !== email) return {};
      seen++;
      return seen <= 2 ? { status: 503, body: { message: 'busy' } } : {};
    });
    const res = await api.post('/api/v1/leads', leadBody(aff.campaignId, { email }));
    expect(res.status, res.text).toBe(200);
    expect(crm.calls.slice(previous).filter((c) => c.json?.email === email)).toHaveLength(3);
    crm.setReply(() => ({}));
  });

  it('gives up after the integration attempts and answers 502 crm.unavailable', async () => {
    const email = `down.${Date.now()}@example.com`;
    crm.setReply((call) => (call.json?.email === email ? { status: 503, body: 'down' } : {}));
    const res = await api.post('/api/v1/leads', leadBody(aff.campaignId, { email }));
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ success: false, status: 'failed', code: 'crm.unavailable' });
    expect(crm.calls.filter((c) => c.json?.email === email)).toHaveLength(3);
    crm.setReply(() => ({}));
  });

  it('answers 504 crm.timeout when every attempt times out', async () => {
    const email = `hang.${Date.now()}@example.com`;
    crm.setReply((call) => (call.json?.email === email ? { delayMs: 2500 } : {}));
    const slow = await setupAffiliate(server, { crmUrl: crm.url, integration: { timeoutMs: 200, retry: { attempts: 2, baseDelayMs: 10 } } });
    const res = await HttpSession.withToken(server.url, slow.apiKey).post('/api/v1/leads', leadBody(slow.campaignId, { email }));
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ status: 'failed', code: 'crm.timeout' });
    crm.setReply(() => ({}));
  });

  it('replays the first answer for a repeated Idempotency-Key, with one CRM call', async () => {
    const body = leadBody(aff.campaignId);
    const headers = { 'idempotency-key': `idem-${Date.now()}` };
    const first = await api.post('/api/v1/leads', body, headers);
    const second = await api.post('/api/v1/leads', body, headers);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(crm.calls.filter((c) => c.json?.email === body.email)).toHaveLength(1);
    const changed = await api.post('/api/v1/leads', { ...body, firstName: 'Other' }, headers);
    expect(changed.status).toBe(422);
    expect(changed.body.code).toBe('validation.idempotency_key');
  });

  it('answers 409 duplicate with the earlier lead id for the same email on the same product', async () => {
    const body = leadBody(aff.campaignId);
    const first = await api.post('/api/v1/leads', body);
    const again = await api.post('/api/v1/leads', { ...body, email: body.email.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ success: false, code: 'duplicate', leadId: first.body.leadId });
  });

  it('accepts the Track360-compatible path with the key as apiToken in the body', async () => {
    const res = await new HttpSession(server.url).post('/webapi/api/affiliatemanagement/CreateAffiliateAPI', { ...leadBody(aff.campaignId), apiToken: aff.apiKey });
    expect(res.status, res.text).toBe(200);
    const onMainPath = await new HttpSession(server.url).post('/api/v1/leads', { ...leadBody(aff.campaignId), apiToken: aff.apiKey });
    expect(onMainPath.status).toBe(401);
    expect(onMainPath.body.code).toBe('auth.missing_token');
  });

  it('accepts the key as X-Api-Key too', async () => {
    const res = await new HttpSession(server.url).post('/api/v1/leads', leadBody(aff.campaignId), { 'x-api-key': aff.apiKey });
    expect(res.status).toBe(200);
  });

  it.each([
    ['no key', {}, undefined, 401, 'auth.missing_token'],
    ['an unknown key', { authorization: 'Bearer lg_unknown' }, undefined, 401, 'auth.invalid_token'],
    ['no campaign', {}, { campaignId: undefined }, 400, 'validation.campaignId'],
    ['an unknown campaign', {}, { campaignId: 'c_nope' }, 400, 'validation.campaignId'],
    ['a bad email', {}, { email: 'not-an-email' }, 400, 'validation.email'],
    ['a bad country', {}, { country: 'XX' }, 400, 'validation.country'],
    ['a bad phone', {}, { phone: '12' }, 400, 'validation.phone'],
    ['a missing first name', {}, { firstName: '' }, 400, 'validation.firstName'],
  ])('refuses a lead with %s', async (_what, headers, change, status, code) => {
    const session = 'authorization' in headers || _what === 'no key' ? new HttpSession(server.url) : api;
    const res = await session.post('/api/v1/leads', { ...leadBody(aff.campaignId), ...change }, headers);
    expect(res.status, res.text).toBe(status);
    expect(res.body).toMatchObject({ success: false, code, error: expect.any(String) });
  });

  it('refuses bodies that are not JSON, malformed or too large with the contract codes', async () => {
    const form = await api.post('/api/v1/leads', 'email=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect([form.status, form.body.code]).toEqual([415, 'validation.content_type']);
    const malformed = await api.post('/api/v1/leads', '{"email":', { 'content-type': 'application/json' });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'validation.body']);
    const huge = await api.post('/api/v1/leads', { ...leadBody(aff.campaignId), comment: 'x'.repeat(200_000) });
    expect([huge.status, huge.body.code]).toEqual([413, 'validation.too_large']);
    const array = await api.post('/api/v1/leads', [1, 2]);
    expect([array.status, array.body.code]).toEqual([400, 'validation.body']);
  });

  it('refuses a client IP outside the whitelist, and ignores a spoofed X-Forwarded-For from an untrusted peer', async () => {
    const walled = await setupAffiliate(server, { crmUrl: crm.url, whitelist: ['203.0.113.7'] });
    const session = HttpSession.withToken(server.url, walled.apiKey);
    const res = await session.post('/api/v1/leads', leadBody(walled.campaignId), { 'x-forwarded-for': '203.0.113.7' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.ip_not_allowed');
  });

  it('enforces the affiliate settings: integration disabled, country not allowed, daily cap', async () => {
    const capped = await setupAffiliate(server, { crmUrl: crm.url, apiIntegration: { allowedCountries: ['PT', 'ES'], dailyCap: 1 } });
    const session = HttpSession.withToken(server.url, capped.apiKey);
    const wrongCountry = await session.post('/api/v1/leads', leadBody(capped.campaignId, { country: 'FR', phone: undefined }));
    expect([wrongCountry.status, wrongCountry.body.code]).toEqual([403, 'rules.country_not_allowed']);
    expect((await session.post('/api/v1/leads', leadBody(capped.campaignId))).status).toBe(200);
    const overCap = await session.post('/api/v1/leads', leadBody(capped.campaignId));
    expect([overCap.status, overCap.body.code]).toEqual([429, 'rules.cap_reached']);
    expect(Number(overCap.headers.get('retry-after'))).toBeGreaterThan(0);

    const list = await server.admin.get(`/api/admin/affiliates/${capped.affiliateId}/api-integrations`);
    await server.admin.patch(`/api/admin/affiliates/${capped.affiliateId}/api-integrations/${list.body.items[0].id}`, { enabled: false });
    await new Promise((r) => setTimeout(r, 1100));
    const disabled = await session.post('/api/v1/leads', leadBody(capped.campaignId));
    expect([disabled.status, disabled.body.code]).toEqual([403, 'integration.not_enabled']);
  });

  it('refuses an expired key with auth.token_expired', async () => {
    const expiring = await setupAffiliate(server, { crmUrl: crm.url });
    await server.runtime.deps.storage.db.updateTable('api_keys').set({ expires_at: new Date(Date.now() - 1000) }).where('affiliate_id', '=', expiring.affiliateId).execute();
    await new Promise((r) => setTimeout(r, 1100));
    const res = await HttpSession.withToken(server.url, expiring.apiKey).post('/api/v1/leads', leadBody(expiring.campaignId));
    expect([res.status, res.body.code, res.body.error]).toEqual([401, 'auth.token_expired', 'API key has expired']);
  });

  it('stops accepting a revoked key within a second', async () => {
    const revoked = await setupAffiliate(server, { crmUrl: crm.url });
    const session = HttpSession.withToken(server.url, revoked.apiKey);
    expect((await session.post('/api/v1/leads', leadBody(revoked.campaignId))).status).toBe(200);
    await server.admin.delete(`/api/admin/affiliates/${revoked.affiliateId}/api-key`);
    const res = await waitFor(async () => {
      const r = await session.post('/api/v1/leads', leadBody(revoked.campaignId));
      return r.status === 401 ? r : undefined;
    }, 1500, 'the revoked key to be refused');
    expect(res.body.code).toBe('auth.invalid_token');
  });

  it("shows an affiliate only its own leads' status", async () => {
    const res = await api.post('/api/v1/leads', leadBody(aff.campaignId));
    const other = await setupAffiliate(server, { crmUrl: crm.url });
    const peek = await HttpSession.withToken(server.url, other.apiKey).get(`/api/v1/leads/${res.body.leadId}`);
    expect(peek.status).toBe(404);
  });
});

describe('the per-affiliate rate limit', () => {
  it('answers 429 rate_limited with Retry-After past the limit, for that affiliate only', async () => {
    const server = await startTestServer('postgres', { INTAKE_RATE_LIMIT: '3' });
    const crm = await startFakeCrm();
    const limited = await setupAffiliate(server, { crmUrl: crm.url });
    const other = await setupAffiliate(server, { crmUrl: crm.url });
    const api = HttpSession.withToken(server.url, limited.apiKey);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.post('/api/v1/leads', leadBody(limited.campaignId))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await api.post('/api/v1/leads', leadBody(limited.campaignId));
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await HttpSession.withToken(server.url, other.apiKey).post('/api/v1/leads', leadBody(other.campaignId))).status).toBe(200);
  });
});

describe('the sync window', () => {
  it('answers 202 pending when the CRM is slower than the window, and the lead is delivered later', async () => {
    const server = await startTestServer('postgres', { SYNC_WINDOW_MS: '300' });
    const crm = await startFakeCrm(() => ({ delayMs: 800 }));
    const aff = await setupAffiliate(server, { crmUrl: crm.url });
    const api = HttpSession.withToken(server.url, aff.apiKey);
    const started = Date.now();
    const res = await api.post('/api/v1/leads', leadBody(aff.campaignId));
    expect(Date.now() - started).toBeLessThan(800);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ success: true, leadId: res.body.leadId, status: 'pending', statusUrl: `/api/v1/leads/${res.body.leadId}` });
    const delivered = await waitFor(async () => {
      const s = await api.get(res.body.statusUrl);
      return s.body.status === 'delivered' ? s : undefined;
    }, 10_000, 'delivery');
    expect(delivered.body.autoLoginUrl).toMatch(/^https:/);
    expect(server.runtime.deps.outcomes.waiting).toBe(0);
  });
});
