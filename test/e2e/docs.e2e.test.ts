import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, SCREENSHOTS_DIR, type BrowserSession } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

/**
 * The API reference in a real Chromium with no internet: everything it loads comes from this
 * server, under the page's own Content-Security-Policy, and it renders the operations of
 * /openapi.json. Leaves test-output/screenshots/docs.png.
 */
describe('the API reference at /docs in Chromium', () => {
  let server: TestServer;
  let browser: BrowserSession;
  const consoleErrors: string[] = [];
  const outsideRequests: string[] = [];

  beforeAll(async () => {
    server = await startTestServer('embedded', { LOG_LEVEL: 'error' });
    browser = await openBrowser(server.url, 'docs-');
    browser.page.setDefaultTimeout(15_000);
    // A CSP violation is reported on the console, not thrown.
    browser.page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    browser.page.on('request', (req) => {
      if (!req.url().startsWith(server.url) && !req.url().startsWith('data:')) outsideRequests.push(req.url());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('renders every operation of the document, from local files only', async () => {
    const { page } = browser;
    await page.goto('/docs');
    const sendLead = page.locator('.opblock-post').filter({ has: page.locator('.opblock-summary-path', { hasText: /^\/api\/v1\/leads$/ }) });
    await sendLead.first().waitFor({ state: 'visible' });

    const documented = Object.values((await server.anonymous.get<{ paths: Record<string, object> }>('/openapi.json')).body.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    await expect.poll(() => page.locator('.opblock').count()).toBe(documented);

    // Open "Send a lead": its request body is the lead schema.
    await sendLead.first().locator('.opblock-summary').click();
    const body = sendLead.first().locator('.opblock-body');
    await body.getByText('Request body').first().waitFor({ state: 'visible' });
    await expect(body.innerText()).resolves.toContain('firstName');

    await page.screenshot({ path: path.join(SCREENSHOTS_DIR, 'docs.png'), fullPage: false });

    expect(browser.pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(outsideRequests).toEqual([]);
  });
});
