import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, type BrowserSession } from '../support/browser.js';
import { startFakeCrm } from '../support/fakeCrm.js';
import { leadBody, setupAffiliate } from '../support/fixtures.js';
import { HttpSession } from '../support/http.js';
import { ADMIN, startTestServer, type TestServer } from '../support/testServer.js';

/**
 * The seed's workflow in a real browser against a real server (Postgres + Redis): a manager
 * sets up a product, its CRM integration and an affiliate, tests the integration, hands the
 * JSON to the "affiliate" (this test), finds the lead in the report and its timeline; then
 * the affiliate signs in and sees its own leads only. Every step leaves a screenshot in
 * test-output/screenshots.
 *
 * Each endpoint a screen relies on is first asked directly (`answers()`), so a missing route
 * fails here with its path rather than as a screen that never fills.
 */

const CRM_HEADER_SECRET = 'crm-header-secret-value';

async function answers(session: HttpSession, method: 'GET' | 'POST', path: string, body?: unknown): Promise<boolean> {
  const res = method === 'GET' ? await session.get(path) : await session.post(path, body);
  // A missing route answers the generic 404 body; a missing resource names what it missed.
  return !(res.status === 404 && (res.body as { error?: string } | undefined)?.error === 'Not found');
}

async function login(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The root tsconfig has no DOM types: the page evaluates the expression as written. */
function clipboardText(page: Page): Promise<string> {
  return page.evaluate<string>('navigator.clipboard.readText()');
}

function uniqueEmail(tag: string) {
  return `${tag}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.com`;
}

describe('the web console in Chromium', () => {
  let server: TestServer;
  let browser: BrowserSession;
  let crm: Awaited<ReturnType<typeof startFakeCrm>>;

  beforeAll(async () => {
    // The same step `npm start` runs: builds src/web into src/web/dist when missing or stale.
    execFileSync(process.execPath, ['scripts/ensure-web.mjs'], { stdio: 'inherit' });
    crm = await startFakeCrm();
    server = await startTestServer('postgres+redis', { LOG_LEVEL: 'error' });
    browser = await openBrowser(server.url, 'console-');
    browser.page.setDefaultTimeout(15_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('takes a manager from login to a delivered lead and its timeline, and shows an affiliate only its own leads', async () => {
    const { page, shot } = browser;
    const admin = server.admin;
    const productName = `Acme Forex ${Date.now()}`;

    // Login.
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in to leadgate' }).waitFor();
    await page.getByLabel('Email').fill(ADMIN.email);
    await shot('login');
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
    await page.getByText('No products yet').waitFor();

    // Product.
    await page.getByRole('button', { name: '+ New product' }).click();
    const productDialog = page.getByRole('dialog', { name: 'New product' });
    await productDialog.getByLabel('Product name').fill(productName);
    await productDialog.getByLabel('Advertiser').fill('Acme Markets');
    await shot('new-product');
    await productDialog.getByRole('button', { name: 'Create product' }).click();
    await page.getByRole('heading', { name: 'APIs input/output' }).waitFor();
    const productId = /\/products\/([^/]+)\/integrations/.exec(page.url())![1]!;

    // Integration: a refused URL shows inline, then the real one saves.
    await page.getByRole('link', { name: '+ New integration' }).click();
    await page.locator('input[name=name]').fill('Fake CRM');
    await page.locator('input[name=url]').fill('ftp://crm.invalid/leads');
    await page.getByRole('button', { name: '+ Add header' }).click();
    await page.getByPlaceholder('Header name').fill('X-Crm-Key');
    await page.getByPlaceholder('Value', { exact: true }).fill(CRM_HEADER_SECRET);
    await page.getByRole('button', { name: '+ Add field' }).click();
    await page.getByPlaceholder('CRM field').last().fill('click');
    await page.getByPlaceholder('Value or {{placeholder}}').last().focus();
    await page.getByRole('button', { name: '{{clickId}}' }).click();
    await expect.poll(() => page.getByPlaceholder('Value or {{placeholder}}').last().inputValue()).toBe('{{clickId}}');
    await page.getByPlaceholder('status', { exact: true }).fill('status');
    await page.getByPlaceholder('ok', { exact: true }).fill('ok');
    await page.getByPlaceholder('data.login_url').fill('data.login_url');
    await page.getByPlaceholder('data.customer_id').fill('data.customer_id');
    await page.getByPlaceholder('message', { exact: true }).fill('message');
    await page.getByLabel('Timeout (ms)').fill('2000');
    await page.getByLabel('Attempts (first included)').fill('3');
    await page.getByLabel('First retry delay (ms)').fill('50');
    await page.getByRole('button', { name: 'Create integration' }).click();
    const urlField = page.locator('.field-invalid', { has: page.locator('input[name=url]') });
    await urlField.locator('.field-error').waitFor();
    await shot('integration-inline-validation');
    await page.locator('input[name=url]').fill(`${crm.url}/api/leads`);
    await page.getByRole('button', { name: 'Create integration' }).click();
    await page.getByRole('link', { name: 'Fake CRM' }).waitFor();
    const integrationId = (await page.locator('td .mono').first().textContent())!.trim();
    await shot('integrations-list');

    // Editing keeps the masked header when it is left alone.
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect.poll(() => page.getByPlaceholder('Value', { exact: true }).inputValue()).toBe('••••');
    await shot('integration-edit-masked-header');
    await page.getByRole('button', { name: 'Save integration' }).click();
    await page.getByRole('link', { name: 'Fake CRM' }).waitFor();

    // Affiliate, with a campaign on the product.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Affiliates/ }).click();
    await page.getByRole('button', { name: '+ New affiliate' }).click();
    const affiliateDialog = page.getByRole('dialog', { name: 'New affiliate' });
    await affiliateDialog.getByLabel('Name').fill('Blue Media');
    await affiliateDialog.getByLabel('Email').fill(uniqueEmail('blue'));
    await affiliateDialog.getByRole('button', { name: 'Create affiliate' }).click();
    await page.getByRole('heading', { name: 'Blue Media', level: 1 }).waitFor();
    const affiliateId = /\/affiliates\/([^/]+)\/api/.exec(page.url())![1]!;

    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    await page.locator('input[name=campaignName]').fill('Spring');
    await page.locator('select[name=product]').selectOption({ label: productName });
    await page.getByRole('button', { name: 'Add campaign' }).click();
    const campaignRow = page.getByRole('row', { name: /Spring/ });
    await campaignRow.waitFor();
    const campaignId = (await campaignRow.locator('td.mono').textContent())!.trim();

    // API tab: integration, key, whitelist.
    await page.getByRole('link', { name: 'API', exact: true }).click();
    await page.locator('select[name=integration]').selectOption({ label: `${productName} — Fake CRM` });
    await page.getByRole('button', { name: 'Add', exact: true }).first().click();
    await page.getByRole('row', { name: /Fake CRM/ }).waitFor();

    await page.getByRole('button', { name: 'Generate an API key' }).click();
    const apiKey = (await page.getByTestId('new-api-key').textContent())!.trim();
    expect(apiKey).toMatch(/^lg_/);
    await page.getByTestId('api-key-expiry').waitFor();
    await page.getByRole('region', { name: 'API Key' }).getByRole('button', { name: 'Copy API key' }).click();
    await expect.poll(() => clipboardText(page)).toBe(apiKey);

    await page.locator('input[name=from]').fill('0.0.0.0/0');
    await page.getByRole('region', { name: 'Whitelisted IPs' }).getByRole('button', { name: 'Add' }).click();
    await page.getByText('An entry covers the full address range').waitFor();
    await page.getByRole('button', { name: 'Remove 0.0.0.0/0' }).click();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByText('No IP whitelisted').waitFor();
    await page.locator('input[name=from]').fill('127.0.0.1');
    await page.getByRole('region', { name: 'Whitelisted IPs' }).getByRole('button', { name: 'Add' }).click();
    await page.getByRole('list', { name: 'Whitelisted IPs' }).getByText('127.0.0.1').waitFor();
    await shot('affiliate-api-tab');

    // A postback on accepted leads, its macro inserted from the help.
    await page.getByRole('link', { name: 'Pixels/Postbacks' }).click();
    await page.getByLabel('Event').selectOption('lead');
    await page.locator('input[name=postbackUrl]').fill(`${crm.url}/postback?click=`);
    await page.getByText('Macros', { exact: true }).click();
    await page.getByRole('button', { name: '{click_id}' }).click();
    await expect.poll(() => page.locator('input[name=postbackUrl]').inputValue()).toBe(`${crm.url}/postback?click={click_id}`);
    await page.getByRole('button', { name: 'Add postback' }).click();
    await page.getByRole('list', { name: 'Postbacks' }).getByText(`${crm.url}/postback?click={click_id}`).waitFor();
    await shot('affiliate-postbacks');

    // Test the integration from the product page.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Products/ }).click();
    await page.getByRole('row', { name: new RegExp(productName) }).getByRole('link', { name: 'Has an API integration' }).waitFor();
    await shot('products-with-api-icon');
    await page.getByRole('link', { name: productName }).click();
    await page.getByRole('link', { name: 'APIs input/output' }).click();
    await page.getByRole('button', { name: 'Click here to test the API' }).click();
    const testDialog = page.getByRole('dialog', { name: 'Test Fake CRM' });
    await testDialog.locator('select[name=affiliate]').selectOption(affiliateId);
    await testDialog.locator('select[name=campaign]').selectOption(campaignId);
    await testDialog.getByTestId('test-key').waitFor();
    await testDialog.getByRole('button', { name: 'Test', exact: true }).click();
    const testPath = `/api/admin/products/${productId}/integrations/${integrationId}/test`;
    expect(await answers(admin, 'POST', testPath, {})).toBe(true);
    {
      const requestPanel = testDialog.getByTestId('test-request-panel');
      const responsePanel = testDialog.getByTestId('test-response-panel');
      await requestPanel.waitFor();
      await requestPanel.scrollIntoViewIfNeeded();
      await expect.poll(() => requestPanel.textContent()).toContain('/api/leads');
      await expect.poll(() => responsePanel.textContent()).toMatch(/HTTP \d{3}/);
      expect(await requestPanel.textContent()).not.toContain(CRM_HEADER_SECRET);
    }
    await shot('integration-test-panels');

    // View as JSON, copy it, and send it with the key as the affiliate would.
    await testDialog.getByRole('button', { name: 'View as JSON' }).click();
    let lead: Record<string, unknown>;
    let sendTo: string;
    const jsonPath = `/api/admin/products/${productId}/integrations/${integrationId}/test/json?affiliateId=${affiliateId}&campaignId=${campaignId}`;
    expect(await answers(admin, 'GET', jsonPath)).toBe(true);
    {
      const jsonBlock = testDialog.getByTestId('affiliate-json');
      await jsonBlock.waitFor();
      const shown = (await jsonBlock.textContent())!;
      await testDialog.getByRole('button', { name: 'Copy JSON to Clipboard' }).click();
      await expect.poll(() => clipboardText(page)).toBe(shown);
      lead = JSON.parse(shown) as Record<string, unknown>;
      sendTo = (await testDialog.getByTestId('post-url').textContent())!.trim();
      expect(await testDialog.getByTestId('affiliate-headers').textContent()).toContain(`Bearer ${apiKey}`);
      await testDialog.getByTestId('affiliate-curl').waitFor();
      await jsonBlock.scrollIntoViewIfNeeded();
    }
    await shot('view-as-json');
    expect(await answers(admin, 'GET', `/api/admin/affiliates/${affiliateId}/postman-collection`)).toBe(true);
    {
      const [download] = await Promise.all([page.waitForEvent('download'), testDialog.getByRole('button', { name: 'Download Postman collection' }).click()]);
      expect(download.suggestedFilename()).toMatch(/\.postman_collection\.json$/);
      const collection = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { variable?: { key: string; value: string }[] };
      expect(collection.variable?.find((v) => v.key === 'apiKey')?.value).toBe(apiKey);
    }
    await testDialog.getByRole('button', { name: 'Close' }).click();

    // A fresh email: the test lead above may hold the JSON's sample address for the duplicate check.
    const email = uniqueEmail('ana');
    const sent = await fetch(sendTo, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...lead, email, test: false }),
    });
    const answer = (await sent.json()) as { leadId: string; status: string };
    expect(sent.status, JSON.stringify(answer)).toBe(200);
    expect(answer.status).toBe('delivered');
    const crmCall = crm.calls.find((c) => c.json?.email === email);
    expect(crmCall?.headers['x-crm-key']).toBe(CRM_HEADER_SECRET);

    // Another affiliate's lead: in the manager's report, never in the first affiliate's portal.
    const other = await setupAffiliate(server, { crmUrl: crm.url });
    const otherEmail = uniqueEmail('other');
    const otherSent = await fetch(`${server.url}/api/v1/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(leadBody(other.campaignId, { email: otherEmail })),
    });
    expect(otherSent.status).toBe(200);
    await server.runtime.projector!.catchUp();

    // The affiliate's Summary tab: this month's numbers.
    await page.goto(`/affiliates/${affiliateId}`);
    expect(await answers(admin, 'GET', `/api/admin/reports/summary?groupBy=affiliate&affiliateId=${affiliateId}`)).toBe(true);
    {
      await page.getByRole('term').filter({ hasText: 'Rejection rate' }).waitFor();
    }
    await shot('affiliate-summary');

    // Reports > Leads via API, then the lead's timeline.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Leads via API/ }).click();
    await page.getByRole('heading', { name: 'Leads via API', level: 1 }).waitFor();
    expect(await answers(admin, 'GET', '/api/admin/reports/leads')).toBe(true);
    {
      const row = page.locator('tr', { hasText: email });
      await row.waitFor();
      await page.locator('tr', { hasText: otherEmail }).waitFor();
      await expect.poll(() => row.textContent()).toContain('delivered');
      await page.locator('.chart svg').waitFor();
      await shot('leads-report');
      await row.click();
    }
    await page.getByRole('heading', { name: `Lead ${answer.leadId}` }).waitFor();
    expect(await answers(admin, 'GET', `/api/admin/leads/${answer.leadId}`)).toBe(true);
    {
      await page.getByRole('heading', { name: 'Delivery attempts' }).waitFor();
      await page.getByText('Attempt 1').waitFor();
      await expect.poll(() => page.locator('.attempt').first().textContent()).toContain('/api/leads');
      expect(await page.locator('main').textContent()).not.toContain(CRM_HEADER_SECRET);
    }
    await shot('lead-timeline');

    // The affiliate's own login, made on its Logins tab.
    const affiliateUser = { email: uniqueEmail('portal'), password: 'affiliate-pass-123' };
    await page.goto(`/affiliates/${affiliateId}/users`);
    await page.locator('input[name=userEmail]').fill(affiliateUser.email);
    await page.locator('input[name=userPassword]').fill(affiliateUser.password);
    await page.getByRole('button', { name: 'Add login' }).click();
    await page.getByRole('list', { name: 'Affiliate logins' }).getByText(affiliateUser.email).waitFor();

    // A session that ends server-side sends the manager back to the login with a notice.
    await browser.context.clearCookies();
    await page.getByRole('link', { name: 'Pixels/Postbacks' }).click();
    await page.getByText('Your session expired').waitFor();
    await shot('session-expired');

    // The affiliate portal: its own leads only.
    await login(page, affiliateUser.email, affiliateUser.password);
    await page.getByRole('heading', { name: 'Your leads' }).waitFor();
    await page.getByTestId('portal-post-url').waitFor();
    const affiliateSession = new HttpSession(server.url);
    await affiliateSession.login(affiliateUser.email, affiliateUser.password);
    const portalReports = await affiliateSession.get('/api/v1/reports/leads');
    expect(portalReports.status).toBe(200);
    {
      await page.locator('tr', { hasText: email }).waitFor();
    }
    expect(await page.locator('body').textContent()).not.toContain(otherEmail);
    expect(await page.locator('body').textContent()).not.toContain(other.affiliateId);
    await shot('affiliate-portal');
    // The manager's screens are not the affiliate's: any of their URLs lands on the portal.
    await page.goto('/affiliates');
    await page.getByRole('heading', { name: 'Your leads' }).waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await shot('affiliate-portal-phone');

    expect(browser.pageErrors).toEqual([]);
  }, 240_000);
});
