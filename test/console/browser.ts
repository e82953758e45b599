// The browser side of the console tests: Debian's Chromium driven by playwright-core (no browser is
// ever downloaded), a fresh profile per suite, pages that may only reach the admin listener, and
// the sign-in every suite does.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { packageRoot } from '../../src/config/index.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SHOTS = join(packageRoot(), 'test-output', 'screenshots');

export interface ConsoleBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile directory (playwright passes it as --user-data-dir). */
export async function launchConsoleBrowser(options: { locale?: string } = {}): Promise<ConsoleBrowser> {
  mkdirSync(SHOTS, { recursive: true });
  const profileDir = mkdtempSync(join(tmpdir(), 'ds-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    ...(options.locale ? { locale: options.locale } : {}),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/**
 * A new page without cookies on the console, with every page error, CSP violation and failed
 * console file collected in `problems`. A request anywhere but the admin listener is aborted and
 * counted as a problem.
 */
export async function openConsole(context: BrowserContext, adminBase: string): Promise<{ page: Page; problems: string[] }> {
  for (const old of context.pages()) await old.close();
  await context.clearCookies();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // refusals of the API are expected (and shown); a CSP violation or a script error is not
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.url().startsWith(`${adminBase}/console/`) && r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
  });
  await page.route('**/*', (route) => (route.request().url().startsWith(adminBase) ? route.continue() : route.abort()));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(`${adminBase}/console/`);
  return { page, problems };
}

/** Signs in on the sign-in form; `role` is the Dutch role name the header then shows. */
export async function signIn(page: Page, account: string, password: string, role: string): Promise<void> {
  await page.getByLabel('Account').fill(account);
  await page.getByLabel('Wachtwoord').fill(password);
  await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
  await expect.poll(() => page.getByTestId('wie').textContent()).toMatch(new RegExp(`Aangemeld als ${account} \\(${role}\\)`));
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
