// The console in a real browser (Debian's Chromium driven by playwright-core; no browser is ever
// downloaded): a real datastation on loopback, a requester whose questions wait for a person,
// and an operator who signs in, corrects, approves, rejects, rolls back a generation and finds
// the thread in the audit log. Screenshots of every page go to test-output/screenshots/.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, startDatastation, type Datastation } from '../../src/api/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { CONSOLE_CSP } from '../../src/console/index.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { SCOPE } from '../../src/trust/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { makeWorld, type World } from '../trust/world.js';
import { replyInbox, type Inbox } from '../e2e/support.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SHOTS = join(packageRoot(), 'test-output', 'screenshots');

if (!HAVE_CHROMIUM && !process.env.CI) console.warn(`test/console skipped: ${CHROMIUM} is missing (bash scripts/ci/chromium.sh installs it; in CI it must be there)`);

describe.runIf(!HAVE_CHROMIUM && process.env.CI)('console prerequisites in CI', () => {
  it('has Debian Chromium at /usr/bin/chromium (scripts/ci/chromium.sh)', () => {
    expect(existsSync(CHROMIUM)).toBe(true);
  });
});

describe.runIf(HAVE_CHROMIUM)('the console in Chromium', () => {
  let w: World;
  let config: Config;
  let ds: Datastation;
  let base: string;
  let adminBase: string;
  let inbox: Inbox;
  let browser: BrowserContext;
  let profileDir: string;
  let generations: string[];

  beforeAll(async () => {
    w = await makeWorld({ 'exchange.allowHttpReplyUrl': true, 'exchange.allowLoopbackReplyUrl': true, 'exchange.deliveryBackoffMs': 20, 'query.workers': 1 });
    config = { ...w.config, exchange: { ...w.config.exchange, release: [{ requester: w.jwkRequester, mode: 'manual' as const }] } };
    // two generations, so that there is one to roll back to
    const first = await runImport(config, { inputs: [EXAMPLE_DIR] });
    const second = await runImport(config, { inputs: [EXAMPLE_DIR] });
    generations = [first.generation, second.generation];
    inbox = await replyInbox();
    ds = await startDatastation(config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
    base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
    adminBase = await ds.admin.listen({ host: '127.0.0.1', port: 0 });
    mkdirSync(SHOTS, { recursive: true });
    profileDir = mkdtempSync(join(tmpdir(), 'ds-chromium-'));
    // a fresh profile directory (playwright passes it as --user-data-dir)
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ds?.close();
    await inbox?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  /** A question from the manual-release requester; it waits in the queue (202). */
  async function ask(): Promise<{ thread: string; release: string }> {
    const vc = await w.parties.issueQuestion(w.beheer, w.jwkRequester, indicatorClaims(config, 'demo', 'staff-pro-rata'));
    const tokenResponse = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await w.parties.present(w.jwkRequester, w.did, [vc]), scope: SCOPE }),
    });
    const { access_token } = (await tokenResponse.json()) as { access_token: string };
    const thread = `t-${randomUUID()}`;
    const message = {
      type: 'v1/basic-message/request',
      jti: randomUUID(),
      from: w.jwkRequester,
      to: w.did,
      thread_id: thread,
      reply_url: inbox.url,
      body: { message: await w.parties.present(w.jwkRequester, w.did, [vc]), parameters: { jaar: 2025, kwartaal: 'Q1' } },
    };
    const response = await fetch(`${base}/api/verifiedsparql`, { method: 'POST', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: JSON.stringify(message) });
    expect(response.status).toBe(202);
    return { thread, release: ((await response.json()) as { release_id: string }).release_id };
  }

  const reply = async (thread: string) => {
    for (let i = 0; i < 400 && !inbox.replies.some((r) => r.thread_id === thread); i++) await new Promise((r) => setTimeout(r, 25));
    const found = inbox.replies.find((r) => r.thread_id === thread);
    expect(found, `a reply for ${thread}`).toBeDefined();
    return found!;
  };

  /** A new page without cookies, with every page error and CSP violation collected. */
  async function open(): Promise<{ page: Page; problems: string[] }> {
    for (const old of browser.pages()) await old.close();
    await browser.clearCookies();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 40[14]/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    // nothing but the admin listener: a request anywhere else is a failure
    await page.route('**/*', (route) => (route.request().url().startsWith(adminBase) ? route.continue() : route.abort()));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.goto(`${adminBase}/console/`);
    return { page, problems };
  }

  async function signInWithToken(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Aanmelden met het beheertoken' }).click();
    await page.getByLabel('Beheertoken').fill(adminToken(config));
    await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
    await expect.poll(() => page.getByTestId('wie').textContent()).toMatch(/Aangemeld als beheertoken \(beheerder\)/);
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it('serves the console with a strict CSP, and nothing else under /console/', async () => {
    const index = await fetch(`${adminBase}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toMatch(/script-src 'self'(;|$)/);
    expect(await index.text()).not.toMatch(/<script>(?!<)/);
    expect((await fetch(`${adminBase}/console/vendor/preact.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${adminBase}/console/../package.json`)).status).toBe(404);
    expect((await fetch(`${adminBase}/console/js/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
    // the data behind it still needs credentials
    expect((await fetch(`${adminBase}/admin/releases`)).status).toBe(401);
  });

  it('an operator signs in, sees the waiting question, approves it, and the requester gets the answer', async () => {
    const { thread, release } = await ask();
    const { page, problems } = await open();
    await shot(page, '01-aanmelden');
    await signInWithToken(page);
    const row = page.getByTestId('releases').locator('tr', { hasText: w.jwkRequester });
    await expect.poll(() => row.count()).toBeGreaterThan(0);
    await shot(page, '02-vrijgave');
    await page.locator(`a[href="#/vrijgave/${release}"]`).click();
    await expect.poll(() => page.getByTestId('vrager').textContent()).toBe(w.jwkRequester);
    expect(await page.locator('table.antwoord td[data-row]').count()).toBeGreaterThan(0);
    expect(await page.locator('figure.grafiek svg rect.staaf').count()).toBeGreaterThan(0);
    await shot(page, '03-vraag');
    await page.getByRole('button', { name: 'Goedkeuren' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Goedgekeurd/);
    const answered = await reply(thread);
    expect(answered.type).toMatch(/response/);
    expect(ds.queue.get(release)).toMatchObject({ state: 'approved', decidedBy: 'admin-api:token-holder' });
    await shot(page, '04-goedgekeurd');
    expect(problems).toEqual([]);
  });

  it('an operator rejects a question with a reason, which the requester receives', async () => {
    const { thread, release } = await ask();
    const { page, problems } = await open();
    await signInWithToken(page);
    await page.goto(`${adminBase}/console/#/vrijgave/${release}`);
    await page.getByRole('button', { name: 'Afwijzen' }).click();
    const confirm = page.getByRole('button', { name: 'Afwijzing bevestigen' });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel(/Reden van de afwijzing/).fill('Het kwartaal is nog niet afgesloten.');
    await confirm.click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/afgewezen/);
    const refused = await reply(thread);
    expect(JSON.stringify(refused)).toMatch(/Het kwartaal is nog niet afgesloten/);
    expect(ds.queue.get(release)).toMatchObject({ state: 'rejected' });
    await shot(page, '05-afgewezen');
    expect(problems).toEqual([]);
  });

  it('the pages without their API yet say so, and nothing breaks', async () => {
    const { page, problems } = await open();
    await signInWithToken(page);
    for (const [hash, name] of [['koppelingen', '06-koppelingen'], ['waarden', '07-waarden']] as const) {
      await page.goto(`${adminBase}/console/#/${hash}`);
      await page.waitForLoadState('networkidle');
      await shot(page, name);
    }
    expect(problems).toEqual([]);
    expect(generations[0]).not.toBe(generations[1]);
  });
});
