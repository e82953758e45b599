// Two organisations' consoles in one browser, on one deployment's admin listener: each under
// /tenants/<id>/console/, calling only its own tenant's admin API, signed in with its own
// accounts; signing in to B does not sign A out (cookies are scoped to the tenant's path).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/accounts/index.js';
import { packageRoot } from '../../src/config/index.js';
import { ReleaseQueue } from '../../src/exchange/index.js';
import { addTenant, startDeployment, tenantConfig, type Deployment } from '../../src/tenants/index.js';
import { tempDir, testConfig } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const PASSWORD = 'correct horse battery staple';

describe.runIf(HAVE_CHROMIUM || process.env.CI)('two tenants\' consoles in Chromium', () => {
  let d: Deployment;
  let adminUrl: string;
  let browser: BrowserContext;
  let profileDir: string;

  beforeAll(async () => {
    expect(HAVE_CHROMIUM, `${CHROMIUM} (scripts/ci/chromium.sh)`).toBe(true);
    const base = testConfig(join(tempDir('ds-tenant-console-'), 'deployment'), { 'server.port': 0, 'admin.port': 0, 'query.workers': 1 });
    for (const [id, account] of [['a', 'anna'], ['b', 'bert']] as const) {
      await addTenant(base, id, { actor: 'test' });
      const dir = tenantConfig(base, id).dataDir;
      await new AccountStore(dir).add(account, 'operator', PASSWORD, 'test');
      new ReleaseQueue(dir).add(
        { id: `r-${id}`, thread_id: `t-${id}`, requester: `did:web:requester-of-${id}.example`, reply_url: 'https://x.example/in', received: new Date().toISOString(), questions: [], preview: {} },
        '{}',
      );
    }
    d = await startDeployment(base, { profileRoots: () => [join(packageRoot(), 'profiles')], pollSeconds: 0 });
    ({ adminBase: adminUrl } = await d.listen());
    profileDir = mkdtempSync(join(tmpdir(), 'ds-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await d?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  async function openConsole(id: string): Promise<{ page: Page; calls: string[]; problems: string[] }> {
    const page = await browser.newPage();
    const calls: string[] = [];
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => calls.push(new URL(r.url()).pathname));
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.includes('/console/') && r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
    });
    await page.route('**/*', (route) => (route.request().url().startsWith(adminUrl) ? route.continue() : route.abort()));
    await page.goto(`${adminUrl}/tenants/${id}/console/`);
    return { page, calls, problems };
  }

  async function signIn(page: Page, account: string): Promise<void> {
    await page.getByLabel('Account').fill(account);
    await page.getByLabel('Wachtwoord').fill(PASSWORD);
    await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
    await expect.poll(() => page.getByTestId('wie').textContent()).toMatch(new RegExp(`Aangemeld als ${account}`));
  }

  it("each console shows its own organisation's queue and calls only its own API", async () => {
    const a = await openConsole('a');
    await signIn(a.page, 'anna');
    await expect.poll(() => a.page.getByTestId('releases').textContent()).toContain('requester-of-a.example');
    expect(await a.page.getByTestId('releases').textContent()).not.toContain('requester-of-b.example');

    const b = await openConsole('b');
    // anna is A's: B's console does not take her
    await b.page.getByLabel('Account').fill('anna');
    await b.page.getByLabel('Wachtwoord').fill(PASSWORD);
    await b.page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
    await expect.poll(async () => (await b.page.getByTestId('wie').count()) === 0 && b.calls.includes('/tenants/b/admin/session')).toBe(true);
    await signIn(b.page, 'bert');
    await expect.poll(() => b.page.getByTestId('releases').textContent()).toContain('requester-of-b.example');

    // both sessions live side by side: A's console, reloaded, is still anna's
    await a.page.reload();
    await expect.poll(() => a.page.getByTestId('wie').textContent()).toMatch(/Aangemeld als anna/);
    const cookies = await browser.cookies();
    expect(cookies.map((c) => c.path).sort()).toEqual(['/tenants/a/', '/tenants/b/']);
    for (const [id, page] of [['a', a], ['b', b]] as const) {
      expect(page.problems).toEqual([]);
      const api = page.calls.filter((p) => !p.includes('/console/'));
      expect(api.length).toBeGreaterThan(0);
      expect(api.every((p) => p.startsWith(`/tenants/${id}/admin/`)), api.join(' ')).toBe(true);
    }
  }, 120_000);
});
