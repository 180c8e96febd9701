import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run when missing): playwright-core downloads no browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep a headless Chromium quiet and offline: no sandbox (root in CI), GPU, QUIC, sync or updates. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOTS_DIR = path.resolve('test-output/screenshots');

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors in the page: a test ends by asserting there were none. */
  pageErrors: string[];
  /** Saves a full-page screenshot as test-output/screenshots/NN-name.png and returns its path. */
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A headless Chromium on a fresh profile, pointed at `baseURL`, clipboard allowed for it. Its
 * screenshots are named `<prefix>NN-name.png`; an earlier run's with the same prefix are removed.
 */
export async function openBrowser(baseURL: string, prefix: string): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'leadgate-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    baseURL,
    viewport: { width: 1280, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
    acceptDownloads: true,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  for (const old of readdirSync(SCREENSHOTS_DIR)) if (old.startsWith(prefix) && old.endsWith('.png')) rmSync(path.join(SCREENSHOTS_DIR, old));
  let n = 0;
  return {
    context,
    page,
    pageErrors,
    async shot(name) {
      n++;
      const file = path.join(SCREENSHOTS_DIR, `${prefix}${String(n).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
