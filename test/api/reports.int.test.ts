import { beforeAll, describe, expect, it } from 'vitest';
import { event } from '../../src/events/events.js';
import { projectionLag } from '../../src/metrics/projectionLag.js';
import { LEAD_FIELDS, type LeadReportRow } from '../../src/reports/leadsQuery.js';
import type { SummaryRow } from '../../src/reports/summaryQuery.js';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate, type AffiliateSetup } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { waitFor } from '../support/spawnLeadgate.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

/** RFC 4180, enough to read back what the export wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (quoted && ch === '"' && next === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && ch === '\r' && next === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += ch;
    }
  }
  return rows;
}

const today = () => new Date().toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

describe('API Reports: the Leads via API report and the summary', () => {
  let server: TestServer;
  let a: AffiliateSetup;
  let b: AffiliateSetup;
  let apiA: HttpSession;
  let apiB: HttpSession;
  let employee: HttpSession;
  let secondCampaignA: string;
  let crmUrl: string;
  const ids: Record<string, string> = {};
  const emails: Record<string, string> = {};

  // catchUp applies only what is below the oldest open transaction (gap-safe reading), and the
  // queue's own transactions may hold that back for a moment: wait until nothing is left.
  const settle = () =>
    waitFor(
      async () => {
        await server.runtime.projector!.catchUp();
        const lag = await projectionLag(server.runtime.deps.storage.db, ['leads_report', 'daily_summary']);
        return lag.every((l) => l.lagEvents === 0) ? true : undefined;
      },
      20_000,
      'the reports to catch up',
    );
  const rowsOf = async (session: HttpSession, path: string): Promise<LeadReportRow[]> => {
    const res = await session.get(path);
    expect(res.status, res.text).toBe(200);
    return res.body.rows;
  };
  const all = (session: HttpSession, query = '') => rowsOf(session, `/api/v1/reports/leads?includeTest=true&limit=1000${query}`);
  const summary = async (session: HttpSession, query: string, base = '/api/v1/reports'): Promise<SummaryRow[]> => {
    const res = await session.get(`${base}/summary?${query}`);
    expect(res.status, res.text).toBe(200);
    return res.body.rows;
  };
  const send = async (name: string, aff: AffiliateSetup, api: HttpSession, overrides: Record<string, unknown> = {}, status = 200) => {
    const body = leadBody(aff.campaignId, overrides);
    const res = await api.post('/api/v1/leads', body);
    expect(res.status, res.text).toBe(status);
    if (res.body.leadId) ids[name] = res.body.leadId;
    emails[name] = body.email;
    return res;
  };
  const convert = (leadId: string, kind: 'signup' | 'ftd', n: string, amount?: string) =>
    server.runtime.deps.store.append(
      `lead-${leadId}`,
      [event('LeadConverted', { leadId, conversionId: `cv-${n}`, productId: a.productId, event: kind, amount, currency: 'USD', transactionId: `tx-${n}`, occurredAt: new Date().toISOString() })],
      { expectedVersion: 'any' },
    );

  beforeAll(async () => {
    server = await startTestServer('postgres', { SYNC_WINDOW_MS: '1500' });
    const crm = await startFakeCrm((call) => {
      const email = String(call.json?.email ?? '');
      if (email.includes('+reject')) return { body: { status: 'error', message: 'Email already registered' } };
      if (email.includes('+down') || email.includes('+pending')) return { status: 503, body: { message: 'busy' } };
      return {};
    });
    crmUrl = crm.url;
    a = await setupAffiliate(server, { crmUrl });
    // B's CRM retries far apart: its +pending lead stays pending for the whole file.
    b = await setupAffiliate(server, { crmUrl: crm.url, integration: { retry: { attempts: 5, baseDelayMs: 600_000 } } });
    apiA = HttpSession.withToken(server.url, a.apiKey);
    apiB = HttpSession.withToken(server.url, b.apiKey);
    const token = await server.admin.post('/api/admin/tokens', { name: 'reports' });
    employee = HttpSession.withToken(server.url, token.body.token);
    const campaign = await server.admin.post(`/api/admin/affiliates/${a.affiliateId}/campaigns`, { name: 'Second', productId: a.productId });
    secondCampaignA = campaign.body.id;

    await send('delivered', a, apiA);
    await send('signedUp', a, apiA);
    await send('ftdOnly', a, apiA, { campaignId: secondCampaignA, country: 'es', phone: undefined });
    await send('weird', a, apiA, { firstName: '=cmd()', lastName: 'Silva, "Ana"\nJr', sub1: '+1', sub2: '-1', sub3: '@x' });
    await send('rejected', a, apiA, { email: `x+reject.${Date.now()}@example.com` }, 422);
    await send('failed', a, apiA, { email: `x+down.${Date.now()}@example.com` }, 502);
    await send('test', a, apiA, { test: true });
    await send('duplicate', a, apiA, { email: emails.delivered!.toUpperCase() }, 409);
    await send('refused', a, apiA, { firstName: '' }, 400);
    await send('noCampaign', a, apiA, { campaignId: undefined }, 400);
    for (let i = 0; i < 6; i++) await send(`more${i}`, a, apiA);
    await send('bDelivered', b, apiB);
    await send('bPending', b, apiB, { email: `b+pending.${Date.now()}@example.com` }, 202);

    await convert(ids.signedUp!, 'signup', 's1');
    await convert(ids.signedUp!, 'ftd', 'f1', '250.5');
    await convert(ids.signedUp!, 'ftd', 'f2', '999');
    await convert(ids.ftdOnly!, 'ftd', 'f3', '100');
    await settle();
  });

  it('shows every lead and refusal with its status, reason, conversions and the contract fields', async () => {
    const rows = await all(apiA);
    expect(rows).toHaveLength(16);
    for (const row of rows) expect(Object.keys(row)).toEqual([...LEAD_FIELDS]);
    const byId = new Map(rows.map((r) => [r.leadId, r]));
    expect(byId.get(ids.delivered!)).toMatchObject({ status: 'delivered', affiliateId: a.affiliateId, campaignId: a.campaignId, productId: a.productId, country: 'PT', autoLoginUrl: expect.stringMatching(/^https:\/\/crm\.example\/login\//), error: null, test: false });
    expect(byId.get(ids.signedUp!)).toMatchObject({ signupAt: expect.any(String), ftdAt: expect.any(String), ftdAmount: 250.5 });
    expect(byId.get(ids.ftdOnly!)).toMatchObject({ campaignId: secondCampaignA, country: 'ES', signupAt: expect.any(String), ftdAmount: 100 });
    expect(byId.get(ids.rejected!)).toMatchObject({ status: 'rejected', error: 'Email already registered' });
    expect(byId.get(ids.failed!)).toMatchObject({ status: 'failed', error: expect.any(String) });
    expect(byId.get(ids.test!)).toMatchObject({ test: true });
    const duplicate = rows.find((r) => r.status === 'duplicate')!;
    expect(duplicate).toMatchObject({ email: emails.delivered!.toUpperCase(), campaignId: a.campaignId, error: 'This lead was already accepted' });
    expect(duplicate.leadId).toMatch(/^rf_/);
    const refused = rows.filter((r) => r.status === 'refused');
    expect(refused.map((r) => r.email).sort()).toEqual([emails.refused, emails.noCampaign].sort());
    expect(refused.find((r) => r.email === emails.noCampaign)).toMatchObject({ campaignId: null, productId: null, error: expect.stringContaining('campaignId') });

    const order = [...rows].sort((x, y) => (x.receivedAt === y.receivedAt ? (x.leadId < y.leadId ? 1 : -1) : x.receivedAt < y.receivedAt ? 1 : -1));
    expect(rows.map((r) => r.leadId)).toEqual(order.map((r) => r.leadId));
    const first = await rowsOf(apiA, '/api/v1/reports/leads');
    expect(first).toHaveLength(15);
    expect(first.some((r) => r.test)).toBe(false);
  });

  it('counts the summary exactly as the log says, every count a JSON number', async () => {
    const [day, ...others] = await summary(apiA, `groupBy=day&from=${today()}`);
    expect(others).toEqual([]);
    expect(day).toEqual({ key: today(), leads: 12, delivered: 10, rejected: 1, failed: 1, pending: 0, duplicates: 1, refused: 2, signups: 2, ftds: 2, ftdAmount: 350.5 });
    const withTest = await summary(apiA, 'includeTest=true');
    expect(withTest[0]).toMatchObject({ leads: 13, delivered: 11 });

    const everyone = await summary(employee, 'groupBy=affiliate');
    expect(everyone.find((r) => r.key === b.affiliateId)).toMatchObject({ leads: 2, delivered: 1, pending: 1 });
    const byCampaign = await summary(apiA, 'groupBy=campaign');
    expect(byCampaign.map((r) => [r.key, r.leads + r.refused + r.duplicates])).toEqual(
      expect.arrayContaining([[a.campaignId, 13], [secondCampaignA, 1], [null, 1]]),
    );
    expect(await summary(apiA, 'groupBy=country')).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'ES', leads: 1, ftds: 1, ftdAmount: 100 })]));
    expect(await summary(employee, `groupBy=product&productId=${b.productId}`)).toEqual([expect.objectContaining({ key: b.productId, leads: 2 })]);

    // The same totals as the report's rows add up.
    const rows = await all(employee);
    for (const [affiliate, total] of [[a.affiliateId, day], [b.affiliateId, everyone.find((r) => r.key === b.affiliateId)]] as const) {
      const mine = rows.filter((r) => r.affiliateId === affiliate && !r.test);
      const accepted = mine.filter((r) => r.status !== 'refused' && r.status !== 'duplicate');
      expect(total).toMatchObject({
        leads: accepted.length,
        delivered: mine.filter((r) => r.status === 'delivered').length,
        pending: mine.filter((r) => r.status === 'pending').length,
        refused: mine.filter((r) => r.status === 'refused').length,
        duplicates: mine.filter((r) => r.status === 'duplicate').length,
        signups: mine.filter((r) => r.signupAt).length,
        ftds: mine.filter((r) => r.ftdAt).length,
        ftdAmount: mine.reduce((n, r) => n + (r.ftdAmount ?? 0), 0),
      });
    }
  });

  it('applies every filter', async () => {
    const everything = await all(employee);
    const expectIds = async (query: string, keep: (r: LeadReportRow) => boolean) => {
      const got = await all(employee, query);
      const want = everything.filter(keep);
      expect(want.length, query).toBeGreaterThan(0);
      expect(got.map((r) => r.leadId), query).toEqual(want.map((r) => r.leadId));
    };
    await expectIds(`&campaignId=${secondCampaignA}`, (r) => r.campaignId === secondCampaignA);
    await expectIds(`&productId=${b.productId}`, (r) => r.productId === b.productId);
    await expectIds(`&affiliateId=${a.affiliateId}`, (r) => r.affiliateId === a.affiliateId);
    await expectIds('&country=es', (r) => r.country === 'ES');
    for (const status of ['pending', 'delivered', 'rejected', 'failed', 'duplicate', 'refused']) await expectIds(`&status=${status}`, (r) => r.status === status);
    await expectIds(`&email=${encodeURIComponent(emails.signedUp!.toUpperCase())}`, (r) => r.leadId === ids.signedUp);
    await expectIds(`&from=${today()}`, () => true);
    const middle = everything[5]!.receivedAt;
    await expectIds(`&to=${encodeURIComponent(middle)}`, (r) => r.receivedAt < middle);
    await expectIds(`&from=${encodeURIComponent(middle)}`, (r) => r.receivedAt >= middle);
    expect(await all(employee, `&from=${tomorrow()}`)).toEqual([]);
    expect(await all(employee, `&to=${today()}`)).toEqual([]);
    expect((await rowsOf(employee, '/api/v1/reports/leads?limit=1000')).every((r) => !r.test)).toBe(true);
    expect(await summary(employee, `from=${tomorrow()}`)).toEqual([]);
    expect(await summary(employee, `to=${today()}`)).toEqual([]);
    expect(await summary(employee, `to=${encodeURIComponent(new Date().toISOString())}`)).toHaveLength(1);
    expect(await summary(employee, 'country=BR')).toEqual([]);
  });

  it('answers 400 validation.<param> for a bad filter or cursor', async () => {
    for (const [query, code] of [
      ['status=lost', 'validation.status'],
      ['limit=0', 'validation.limit'],
      ['from=last-week', 'validation.from'],
      ['cursor=garbage', 'validation.cursor'],
      ['country=Portugal', 'validation.country'],
    ]) {
      const res = await apiA.get(`/api/v1/reports/leads?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe(code);
    }
    expect((await employee.get('/api/admin/reports/summary?groupBy=week')).body.code).toBe('validation.groupBy');
  });

  it('pages with limit 2 through every row exactly once, also while new leads arrive', async () => {
    const expected = (await all(employee)).map((r) => r.leadId);
    expect(expected.length).toBeGreaterThanOrEqual(15);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { rows: LeadReportRow[]; nextCursor: string | null } } = await employee.get(`/api/v1/reports/leads?includeTest=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.rows.map((r) => r.leadId));
      cursor = res.body.nextCursor;
      pages++;
      if (pages === 2 || pages === 5) {
        // New leads between pages sort before every cursor given out; a change to a listed
        // row (a conversion) does not move it.
        await send(`arrived${pages}`, a, apiA);
        await send(`arrivedB${pages}`, b, apiB);
        await convert(ids.delivered!, 'signup', `late${pages}`);
        await settle();
      }
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 2));
  });

  it('streams the whole export as CSV, header first, quoted and formula-safe, limit ignored', async () => {
    const res = await fetch(`${server.url}/api/v1/reports/leads?format=csv&limit=1&includeTest=true`, { headers: { authorization: `Bearer ${a.apiKey}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const [header, ...lines] = parseCsv(await res.text());
    expect(header).toEqual([...LEAD_FIELDS]);
    const json = await all(apiA);
    expect(lines.map((l) => l[0])).toEqual(json.map((r) => r.leadId));
    const weird = lines.find((l) => l[0] === ids.weird)!;
    const cell = (field: (typeof LEAD_FIELDS)[number]) => weird[LEAD_FIELDS.indexOf(field)];
    expect([cell('firstName'), cell('lastName'), cell('sub1'), cell('sub2'), cell('sub3'), cell('test')]).toEqual(["'=cmd()", 'Silva, "Ana"\nJr', "'+1", "'-1", "'@x", 'false']);
    const ftd = lines.find((l) => l[0] === ids.signedUp)!;
    expect(ftd[LEAD_FIELDS.indexOf('ftdAmount')]).toBe('250.5');

    const summaryCsv = await employee.get('/api/admin/reports/summary?format=csv&groupBy=affiliate');
    expect(summaryCsv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(parseCsv(summaryCsv.text)[0]).toEqual(['key', 'leads', 'delivered', 'rejected', 'failed', 'pending', 'duplicates', 'refused', 'signups', 'ftds', 'ftdAmount']);
  });

  it("never shows affiliate A another affiliate's rows, whatever it asks for", async () => {
    const bRow = (await all(apiB))[0]!;
    for (const query of [`&affiliateId=${b.affiliateId}`, `&campaignId=${b.campaignId}`, `&productId=${b.productId}`, `&email=${encodeURIComponent(bRow.email!)}`, '&status=pending']) {
      expect(await all(apiA, query), query).toEqual([]);
    }
    expect((await all(apiA)).every((r) => r.affiliateId === a.affiliateId)).toBe(true);
    expect(await summary(apiA, `affiliateId=${b.affiliateId}`)).toEqual([]);
    expect(await summary(apiA, `productId=${b.productId}&groupBy=affiliate`)).toEqual([]);
    expect((await summary(apiA, 'groupBy=affiliate')).map((r) => r.key)).toEqual([a.affiliateId]);
    const csv = await apiA.get(`/api/v1/reports/leads?format=csv&affiliateId=${b.affiliateId}`);
    expect(parseCsv(csv.text)).toEqual([[...LEAD_FIELDS]]);
  });

  it("shows an affiliate user's console login its own rows only", async () => {
    await server.admin.post(`/api/admin/affiliates/${a.affiliateId}/users`, { email: 'portal-a@example.com', password: 'portal-a-password' });
    const portal = new HttpSession(server.url);
    await portal.login('portal-a@example.com', 'portal-a-password');
    const rows = await rowsOf(portal, `/api/v1/reports/leads?limit=1000&affiliateId=${b.affiliateId}`);
    expect(rows).toEqual([]);
    expect((await rowsOf(portal, '/api/v1/reports/leads?limit=1000')).every((r) => r.affiliateId === a.affiliateId)).toBe(true);
    expect((await portal.get('/api/admin/reports/leads')).status).toBe(403);
  });

  it('shows an employee token, session, and the admin API every affiliate, with an affiliateId filter', async () => {
    const affiliates = new Set((await all(employee)).map((r) => r.affiliateId));
    expect(affiliates).toEqual(new Set([a.affiliateId, b.affiliateId]));
    const session = await server.admin.get('/api/v1/reports/leads?limit=1000&includeTest=true');
    expect(new Set(session.body.rows.map((r: LeadReportRow) => r.affiliateId))).toEqual(affiliates);
    const admin = await server.admin.get(`/api/admin/reports/leads?limit=1000&affiliateId=${b.affiliateId}`);
    expect(admin.status).toBe(200);
    expect(admin.body.rows.length).toBeGreaterThan(0);
    expect(admin.body.rows.every((r: LeadReportRow) => r.affiliateId === b.affiliateId)).toBe(true);
    expect(await summary(employee, `affiliateId=${b.affiliateId}&groupBy=affiliate`, '/api/admin/reports')).toEqual([expect.objectContaining({ key: b.affiliateId })]);
  });

  it('answers 401 without credentials, or with a wrong key or token', async () => {
    for (const path of ['/api/v1/reports/leads', '/api/v1/reports/summary', '/api/admin/reports/leads', '/api/admin/reports/summary']) {
      const res = await server.anonymous.get(path);
      expect(res.status, path).toBe(401);
      expect(res.body.success).toBe(false);
    }
    expect((await server.anonymous.get('/api/v1/reports/leads')).body.code).toBe('auth.missing_token');
    expect((await HttpSession.withToken(server.url, 'lg_wrong').get('/api/v1/reports/leads')).body.code).toBe('auth.invalid_token');
    expect((await HttpSession.withToken(server.url, 'lge_wrong').get('/api/v1/reports/summary')).body.code).toBe('auth.invalid_token');
    expect((await apiA.get('/api/admin/reports/leads')).status).toBe(401);
  });

  it("checks an affiliate key's IP whitelist on the reports too", async () => {
    const elsewhere = await setupAffiliate(server, { crmUrl, whitelist: ['203.0.113.9'] });
    const res = await HttpSession.withToken(server.url, elsewhere.apiKey).get('/api/v1/reports/summary');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.ip_not_allowed');
  });
});
