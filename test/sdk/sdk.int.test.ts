import { beforeAll, describe, expect, it } from 'vitest';
import { AdvertiserClient, AffiliateClient, LeadgateError, type CreateLeadResult, type LeadInput, type LeadReportRow, type SummaryRow } from '../../sdk/src/index.js';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate, type AffiliateSetup } from '../support/fixtures.js';
import { waitFor } from '../support/spawnLeadgate.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

/**
 * The SDK against a live leadgate: every call, every contract answer it turns into a value,
 * and the failures it throws. The fake CRM refuses `+reject` emails, answers `+slow` ones
 * after the sync window and fails `+error` ones.
 */
describe('the TypeScript SDK against a live server', () => {
  let server: TestServer;
  let aff: AffiliateSetup;
  let client: AffiliateClient;
  let advertiser: AdvertiserClient;
  let crmUrl: string;
  /** Every lead this file got stored, by how it ended. */
  const stored: Record<string, string[]> = { delivered: [], rejected: [], failed: [] };
  let delivered: Extract<CreateLeadResult, { status: 'delivered' }>;

  const lead = (overrides: Partial<LeadInput> = {}): LeadInput => ({ ...leadBody(aff.campaignId), ...overrides });
  const expectThrown = async (call: Promise<unknown>, expected: Partial<LeadgateError>) => {
    const err = await call.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LeadgateError);
    expect(err).toMatchObject(expected);
  };

  beforeAll(async () => {
    server = await startTestServer('postgres', { SYNC_WINDOW_MS: '1500' });
    const crm = await startFakeCrm((call) => {
      const email = String(call.json?.email);
      if (email.includes('+reject')) return { body: { status: 'error', message: 'Country not served' } };
      if (email.includes('+slow')) return { delayMs: 2500 };
      if (email.includes('+error')) return { status: 500, body: { message: 'down' } };
      return {};
    });
    crmUrl = crm.url;
    aff = await setupAffiliate(server, { crmUrl: crm.url, integration: { timeoutMs: 5000 } });
    client = new AffiliateClient({ baseUrl: server.url, apiKey: aff.apiKey });
    const product = await server.admin.get(`/api/admin/products/${aff.productId}`);
    advertiser = new AdvertiserClient({ baseUrl: server.url, conversionSecret: product.body.conversionSecret });
  });

  describe('createLead', () => {
    it('returns a delivered lead with the CRM’s auto-login URL', async () => {
      const result = await client.createLead(lead());
      expect(result).toEqual({ status: 'delivered', success: true, httpStatus: 200, leadId: expect.stringMatching(/^ld_/), autoLoginUrl: expect.stringMatching(/^https:\/\/crm\.example\/login\//) });
      delivered = result as typeof delivered;
      stored.delivered!.push(delivered.leadId);
    });

    it('returns the first answer again for a repeated Idempotency-Key', async () => {
      const body = lead();
      const first = await client.createLead(body, { idempotencyKey: `sdk-${body.email}` });
      const again = await client.createLead(body, { idempotencyKey: `sdk-${body.email}` });
      expect(first.status).toBe('delivered');
      expect(again).toEqual(first);
      stored.delivered!.push((first as typeof delivered).leadId);
    });

    it('returns a duplicate as a refusal naming the earlier lead, without throwing', async () => {
      const first = await client.createLead(lead({ email: 'twice@example.com' }));
      const second = await client.createLead(lead({ email: 'twice@example.com' }));
      expect(first.status).toBe('delivered');
      expect(second).toEqual({ status: 'refused', success: false, httpStatus: 409, code: 'duplicate', error: expect.any(String), leadId: (first as typeof delivered).leadId });
      stored.delivered!.push((first as typeof delivered).leadId);
    });

    it('returns bad input as a refusal with the field in its code', async () => {
      expect(await client.createLead(lead({ country: 'XX' }))).toEqual({ status: 'refused', success: false, httpStatus: 400, code: 'validation.country', error: expect.stringContaining('country') });
    });

    it('returns an unknown key as a refusal (auth.invalid_token)', async () => {
      const stranger = new AffiliateClient({ baseUrl: server.url, apiKey: 'lg_notARealKey' });
      expect(await stranger.createLead(lead())).toEqual({ status: 'refused', success: false, httpStatus: 401, code: 'auth.invalid_token', error: expect.any(String) });
    });

    it('returns the CRM’s refusal with its message (422 crm.rejected)', async () => {
      const result = await client.createLead(lead({ email: `ana+reject.${Date.now()}@example.com` }));
      expect(result).toMatchObject({ status: 'rejected', success: false, httpStatus: 422, code: 'crm.rejected', error: 'Country not served', leadId: expect.any(String) });
      stored.rejected!.push((result as { leadId: string }).leadId);
    });

    it('returns a delivery that gave up within the sync window as failed (502 crm.unavailable)', async () => {
      const result = await client.createLead(lead({ email: `ana+error.${Date.now()}@example.com` }));
      expect(result).toMatchObject({ status: 'failed', success: false, httpStatus: 502, code: 'crm.unavailable', leadId: expect.any(String) });
      stored.failed!.push((result as { leadId: string }).leadId);
    });

    it('returns a CRM timeout as failed (504 crm.timeout), and a reached daily cap with its Retry-After', async () => {
      // Another affiliate, so its leads stay out of the reports below: one attempt of 300 ms, one lead a day.
      const other = await setupAffiliate(server, { crmUrl, integration: { timeoutMs: 300, retry: { attempts: 1 } }, apiIntegration: { dailyCap: 1 } });
      const otherClient = new AffiliateClient({ baseUrl: server.url, apiKey: other.apiKey });
      const timedOut = await otherClient.createLead({ ...leadBody(other.campaignId), email: `ana+slow.${Date.now()}@example.com` });
      expect(timedOut).toMatchObject({ status: 'failed', httpStatus: 504, code: 'crm.timeout', leadId: expect.any(String) });
      const capped = await otherClient.createLead(leadBody(other.campaignId));
      expect(capped).toMatchObject({ status: 'refused', httpStatus: 429, code: 'rules.cap_reached', retryAfterSeconds: expect.any(Number) });
      expect((capped as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    });

    it('returns pending past the sync window, and waitForLead sees it delivered', async () => {
      const result = await client.createLead(lead({ email: `ana+slow.${Date.now()}@example.com` }));
      expect(result).toMatchObject({ status: 'pending', success: true, httpStatus: 202 });
      if (result.status !== 'pending') return;
      expect(result.statusUrl).toBe(`/api/v1/leads/${result.leadId}`);
      const later = await client.waitForLead(result.leadId, { timeoutMs: 10_000, intervalMs: 200 });
      expect(later).toMatchObject({ leadId: result.leadId, status: 'delivered', autoLoginUrl: expect.any(String) });
      stored.delivered!.push(result.leadId);
    });
  });

  describe('getLead', () => {
    it('reads a lead’s status', async () => {
      expect(await client.getLead(delivered.leadId)).toEqual({
        success: true,
        leadId: delivered.leadId,
        status: 'delivered',
        receivedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        autoLoginUrl: delivered.autoLoginUrl,
        conversions: [],
      });
    });

    it('throws the contract’s error for an unknown lead and for a bad key', async () => {
      await expectThrown(client.getLead('ld_unknown'), { status: 404, code: 'not_found' });
      await expectThrown(new AffiliateClient({ baseUrl: server.url, apiKey: 'lg_notARealKey' }).getLead(delivered.leadId), { status: 401, code: 'auth.invalid_token' });
    });
  });

  describe('postConversion', () => {
    it('records an FTD once; a repeat is a duplicate; the lead shows it', async () => {
      const ftd = { leadId: delivered.leadId, event: 'ftd', amount: 250, currency: 'USD', transactionId: `tx-${delivered.leadId}`, occurredAt: new Date('2026-01-02T03:04:05Z') } as const;
      const first = await advertiser.postConversion(ftd);
      expect(first).toEqual({ conversionId: expect.stringMatching(/^cv_/), leadId: delivered.leadId, duplicate: false });
      expect(await advertiser.postConversion(ftd)).toEqual({ ...first, duplicate: true });
      expect((await client.getLead(delivered.leadId)).conversions).toEqual([{ event: 'ftd', amount: 250, currency: 'USD', occurredAt: '2026-01-02T03:04:05.000Z' }]);
    });

    it('throws for a wrong secret', async () => {
      const stranger = new AdvertiserClient({ baseUrl: server.url, conversionSecret: 'not-the-secret' });
      await expectThrown(stranger.postConversion({ leadId: delivered.leadId, event: 'signup', transactionId: 'tx-x' }), { status: 401, code: 'auth.invalid_token' });
    });
  });

  describe('reports', () => {
    const accepted = () => Object.values(stored).flat();
    let everything: LeadReportRow[];

    it('pages through the leads report with cursors, every row once', async () => {
      // The report is an async projection: wait until it shows every lead this file stored.
      everything = await waitFor(async () => {
        const { rows, nextCursor } = await client.listLeads({ limit: 1000 });
        expect(nextCursor).toBeNull();
        const ids = new Set(rows.map((r) => r.leadId));
        return accepted().every((id) => ids.has(id)) && rows.some((r) => r.ftdAt) ? rows : undefined;
      }, 20_000, 'the report to show every lead');

      const pages = [];
      for await (const page of client.leadPages({ limit: 2 })) pages.push(page);
      expect(pages.length).toBeGreaterThan(2);
      expect(pages.slice(0, -1).every((p) => p.rows.length === 2 && p.nextCursor)).toBe(true);
      expect(pages.at(-1)!.nextCursor).toBeNull();
      expect(pages.flatMap((p) => p.rows)).toEqual(everything);

      const rows = [];
      for await (const row of client.leads({ limit: 3 })) rows.push(row);
      expect(rows.map((r) => r.leadId)).toEqual(everything.map((r) => r.leadId));
    });

    it('gives rows with the contract’s fields, and filters them', async () => {
      const row = everything.find((r) => r.leadId === delivered.leadId)!;
      expect(row).toMatchObject({ affiliateId: aff.affiliateId, campaignId: aff.campaignId, productId: aff.productId, status: 'delivered', ftdAmount: 250, test: false, autoLoginUrl: delivered.autoLoginUrl });
      expect(Object.keys(row)).toHaveLength(28);

      const failed = await client.listLeads({ status: 'failed', from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) });
      expect(failed.rows.map((r) => r.leadId)).toEqual(stored.failed);
      const byEmail = await client.listLeads({ email: 'TWICE@example.com' });
      expect(byEmail.rows.map((r) => r.status).sort()).toEqual(['delivered', 'duplicate']);
    });

    it('sums the same leads in the summary, by day and by campaign', async () => {
      const count = (status: string) => everything.filter((r) => r.status === status).length;
      const today = new Date().toISOString().slice(0, 10);
      const expected: SummaryRow = {
        key: today,
        leads: everything.filter((r) => ['pending', 'delivered', 'rejected', 'failed'].includes(r.status)).length,
        delivered: count('delivered'),
        rejected: count('rejected'),
        failed: count('failed'),
        pending: 0,
        duplicates: count('duplicate'),
        refused: count('refused'),
        signups: 1,
        ftds: 1,
        ftdAmount: 250,
      };
      expect(expected).toMatchObject({ delivered: stored.delivered!.length, rejected: 1, failed: 1, duplicates: 1, refused: 1 });
      await waitFor(async () => {
        const rows = await client.summary({ from: today });
        return JSON.stringify(rows) === JSON.stringify([expected]) ? rows : undefined;
      }, 20_000, 'the summary to match the report');
      expect(await client.summary({ groupBy: 'campaign', from: new Date(Date.now() - 86_400_000) })).toEqual([{ ...expected, key: aff.campaignId }]);
    });
  });

  describe('failures outside the contract throw a LeadgateError', () => {
    it('a 503 with Retry-After, and a proxy’s non-JSON 502', async () => {
      const down = await startFakeCrm((call) =>
        call.url.includes('proxy')
          ? { status: 502, body: '<html>Bad Gateway</html>' }
          : { status: 503, body: { success: false, error: 'Service temporarily unavailable', code: 'unavailable' }, headers: { 'retry-after': '5' } },
      );
      const at = (path: string) => new AffiliateClient({ baseUrl: `${down.url}${path}`, apiKey: aff.apiKey });
      await expectThrown(at('').createLead(lead()), { status: 503, code: 'unavailable', retryAfterSeconds: 5 });
      await expectThrown(at('/proxy').createLead(lead()), { status: 502, code: 'sdk.bad_response' });
      await expectThrown(at('').summary(), { status: 503, code: 'unavailable' });
    });

    it('a refused connection and a timeout', async () => {
      const closed = await startFakeCrm();
      await closed.close();
      await expectThrown(new AffiliateClient({ baseUrl: closed.url, apiKey: aff.apiKey }).createLead(lead()), { status: undefined, code: 'sdk.network' });
      const slow = await startFakeCrm(() => ({ delayMs: 1000 }));
      await expectThrown(new AffiliateClient({ baseUrl: slow.url, apiKey: aff.apiKey, timeoutMs: 100 }).getLead('ld_x'), { code: 'sdk.timeout' });
    });
  });
});
