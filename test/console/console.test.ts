// The console in a real browser (Debian's Chromium driven by playwright-core; no browser is ever
// downloaded): a real datastation on loopback, a requester whose questions wait for a person,
// and an operator who signs in, corrects, approves, rejects, rolls back a generation and finds
// the thread in the audit log. Screenshots of every page go to test-output/screenshots/.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/accounts/index.js';
import { adminToken, startDatastation, type Datastation } from '../../src/api/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { CONSOLE_CSP } from '../../src/console/index.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { currentGenerationId } from '../../src/store/index.js';
import { SCOPE } from '../../src/trust/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { makeWorld, type World } from '../trust/world.js';
import { replyInbox, type Inbox } from '../e2e/support.js';
import { CHROMIUM, HAVE_CHROMIUM, launchConsoleBrowser, openConsole, shot, signIn as signInAs, type ConsoleBrowser } from './browser.js';

const PASSWORDS: Record<string, string> = { alice: 'correct horse battery staple', victor: 'viewer only, never decides' };

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
  let chromium: ConsoleBrowser;
  let browser: BrowserContext;
  let generations: string[];
  let approvedThread: string | undefined;

  beforeAll(async () => {
    w = await makeWorld({ 'exchange.allowHttpReplyUrl': true, 'exchange.allowLoopbackReplyUrl': true, 'exchange.deliveryBackoffMs': 20, 'query.workers': 1 });
    config = { ...w.config, exchange: { ...w.config.exchange, release: [{ requester: w.jwkRequester, mode: 'manual' as const }] } };
    // two generations, so that there is one to roll back to
    const first = await runImport(config, { inputs: [EXAMPLE_DIR] });
    const second = await runImport(config, { inputs: [EXAMPLE_DIR] });
    generations = [first.generation, second.generation];
    const accounts = new AccountStore(config.dataDir);
    await accounts.add('alice', 'operator', PASSWORDS.alice!, 'test');
    await accounts.add('victor', 'viewer', PASSWORDS.victor!, 'test');
    inbox = await replyInbox();
    ds = await startDatastation(config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
    base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
    adminBase = await ds.admin.listen({ host: '127.0.0.1', port: 0 });
    chromium = await launchConsoleBrowser();
    browser = chromium.context;
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await ds?.close();
    await inbox?.close();
  });

  /** A question from the manual-release requester; it waits in the queue (202). */
  async function ask(indicator: 'staff-pro-rata' | 'agreements-by-kind' = 'staff-pro-rata'): Promise<{ thread: string; release: string }> {
    const vc = await w.parties.issueQuestion(w.beheer, w.jwkRequester, indicatorClaims(config, 'demo', indicator));
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
      body: { message: await w.parties.present(w.jwkRequester, w.did, [vc]), parameters: indicator === 'staff-pro-rata' ? { jaar: 2025, kwartaal: 'Q1' } : {} },
    };
    const response = await fetch(`${base}/api/verifiedsparql`, { method: 'POST', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: JSON.stringify(message) });
    expect(response.status).toBe(202);
    return { thread, release: ((await response.json()) as { release_id: string }).release_id };
  }

  /** The admin API as the token holder, to check what the console shows against what it serves. */
  const adminGet = async <T>(path: string): Promise<T> => (await (await fetch(`${adminBase}${path}`, { headers: { authorization: `Bearer ${adminToken(config)}` } })).json()) as T;

  interface Reply {
    thread_id?: string;
    type?: string;
    body?: { resultset?: { result: { results: { bindings: Record<string, { value: string }>[] } } }[] } & Record<string, unknown>;
  }
  const reply = async (thread: string): Promise<Reply> => {
    for (let i = 0; i < 400 && !inbox.replies.some((r) => r.thread_id === thread); i++) await new Promise((r) => setTimeout(r, 25));
    const found = inbox.replies.find((r) => r.thread_id === thread);
    expect(found, `a reply for ${thread}`).toBeDefined();
    return found as Reply;
  };

  /** A new page without cookies, with every page error and CSP violation collected. */
  const open = () => openConsole(browser, adminBase);

  async function signInWithToken(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Aanmelden met het beheertoken' }).click();
    await page.getByLabel('Beheertoken').fill(adminToken(config));
    await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
    await expect.poll(() => page.getByTestId('wie').textContent()).toMatch(/Aangemeld als beheertoken \(beheerder\)/);
  }

  const signIn = (page: Page, account: string, role: string) => signInAs(page, account, PASSWORDS[account]!, role);

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

  it('an operator signs in, sees the waiting question, corrects a value with a reason, approves, and the requester gets the corrected answer', async () => {
    const { thread, release } = await ask();
    const { page, problems } = await open();
    await shot(page, '01-aanmelden');
    await signIn(page, 'alice', 'beheerder');
    const row = page.getByTestId('releases').locator('tr', { hasText: w.jwkRequester });
    await expect.poll(() => row.count()).toBeGreaterThan(0);
    await shot(page, '02-vrijgave');
    await page.locator(`a[href="#/vrijgave/${release}"]`).click();
    await expect.poll(() => page.getByTestId('vrager').textContent()).toBe(w.jwkRequester);
    expect(await page.locator('table.antwoord td[data-row]').count()).toBeGreaterThan(0);
    expect(await page.locator('figure.grafiek svg rect.staaf').count()).toBeGreaterThan(0);
    await shot(page, '03-vraag');

    // the first numeric cell, one more than it was
    const view = await adminGet<{ questions: { id: string; answer: { head: { vars: string[] }; rows: Record<string, { value: string; datatype?: string }>[] } }[] }>(`/admin/releases/${release}`);
    const q = view.questions[0]!;
    const column = q.answer.head.vars.find((v) => /#(integer|decimal)$/.test(q.answer.rows[0]?.[v]?.datatype ?? ''))!;
    expect(column, 'a numeric column in the answer').toBeDefined();
    const corrected = String(Number(q.answer.rows[0]![column]!.value) + 1);

    await page.getByRole('button', { name: 'Corrigeren' }).click();
    await page.locator(`input.cel[data-row="0"][data-column="${column}"]`).fill(corrected);
    const save = page.getByRole('button', { name: 'Correctie opslaan' });
    expect(await save.isDisabled(), 'no correction without a reason').toBe(true);
    await page.getByLabel('Reden van de correctie').fill('Telfout in de bron; gecontroleerd met de roosters.');
    await save.click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/correctie is opgeslagen/);
    expect(await page.locator(`table.antwoord td.gewijzigd[data-row="0"][data-column="${column}"]`).textContent()).toBe(corrected);
    await shot(page, '04-gecorrigeerd');
    await page.getByRole('button', { name: 'Goedkeuren' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Goedgekeurd/);
    const answered = await reply(thread);
    expect(answered.type).toMatch(/response/);
    expect(answered.body!.resultset![0]!.result.results.bindings[0]![column]!.value).toBe(corrected);
    expect(ds.queue.get(release)).toMatchObject({ state: 'approved', decidedBy: 'account:alice' });
    await shot(page, '05-goedgekeurd');
    expect(problems).toEqual([]);
    approvedThread = thread;
  });

  it('small-number cells are marked; under the block policy approval is refused; the operator rejects with a reason the requester receives', async () => {
    const { thread, release } = await ask('agreements-by-kind');
    const view = await adminGet<{ smallCells: unknown[] }>(`/admin/releases/${release}`);
    expect(view.smallCells.length).toBeGreaterThan(0);
    const { page, problems } = await open();
    await signIn(page, 'alice', 'beheerder');
    await page.goto(`${adminBase}/console/#/vrijgave/${release}`);
    await expect.poll(() => page.locator('table.antwoord td.klein').count()).toBe(view.smallCells.length);
    await page.getByRole('button', { name: 'Goedkeuren' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/kleine aantallen/);
    await shot(page, '06-kleine-aantallen');
    expect(ds.queue.get(release)).toMatchObject({ state: 'pending' });
    await page.getByRole('button', { name: 'Afwijzen' }).click();
    const confirm = page.getByRole('button', { name: 'Afwijzing bevestigen' });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel(/Reden van de afwijzing/).fill('Te kleine aantallen; vraag het per jaar.');
    await confirm.click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/afgewezen/);
    expect(JSON.stringify(await reply(thread))).toMatch(/Te kleine aantallen; vraag het per jaar/);
    expect(ds.queue.get(release)).toMatchObject({ state: 'rejected', decidedBy: 'account:alice' });
    await shot(page, '07-afgewezen');
    expect(problems).toEqual([]);
  });

  it('under allow-with-reason the small cells go out only with the reason given in the console', async () => {
    config.exchange.smallCells = 'allow-with-reason'; // as a restart with that setting would; the item keeps its policy
    try {
      const { thread, release } = await ask('agreements-by-kind');
      const { page, problems } = await open();
      await signIn(page, 'alice', 'beheerder');
      await page.goto(`${adminBase}/console/#/vrijgave/${release}`);
      await expect.poll(() => page.locator('table.antwoord td.klein').count()).toBeGreaterThan(0);
      await page.getByRole('button', { name: 'Goedkeuren' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Geef een reden op/);
      expect(ds.queue.get(release)).toMatchObject({ state: 'pending' });
      await page.getByLabel(/Toelichting/).fill('Aantallen per soort overeenkomst zijn niet herleidbaar tot personen.');
      await page.getByRole('button', { name: 'Goedkeuren' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Goedgekeurd/);
      expect((await reply(thread)).type).toMatch(/response/);
      expect(ds.queue.get(release)).toMatchObject({ state: 'approved', reason: 'Aantallen per soort overeenkomst zijn niet herleidbaar tot personen.' });
      expect(problems).toEqual([]);
    } finally {
      config.exchange.smallCells = 'block';
    }
  });

  it('a viewer sees the question but no decision buttons, and the API refuses a decision made from the viewer\'s session', async () => {
    const { release } = await ask();
    const { page, problems } = await open();
    // a wrong password first: one sentence, no session
    await page.getByLabel('Account').fill('victor');
    await page.getByLabel('Wachtwoord').fill('not the password at all');
    await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Aanmelden mislukt/);
    expect(await page.getByTestId('wie').count()).toBe(0);
    await signIn(page, 'victor', 'meekijker');
    await page.goto(`${adminBase}/console/#/vrijgave/${release}`);
    await expect.poll(() => page.getByTestId('vrager').textContent()).toBe(w.jwkRequester);
    expect(await page.getByTestId('alleen-lezen').isVisible()).toBe(true);
    for (const name of ['Goedkeuren', 'Corrigeren', 'Afwijzen']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    await shot(page, '08-meekijker');
    // what a viewer could still try by hand: the session's own CSRF token, the viewer's cookie
    const status = await page.evaluate(async (id) => {
      const session = (await (await fetch('/admin/session')).json()) as { csrf: string };
      const r = await fetch(`/admin/releases/${id}/approve`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf }, body: '{}' });
      return r.status;
    }, release);
    expect(status).toBe(403);
    expect(ds.queue.get(release)).toMatchObject({ state: 'pending' });
    // signing out ends the session on the server, not only in the page
    await page.getByRole('button', { name: 'Afmelden' }).click();
    await expect.poll(() => page.getByRole('form', { name: 'Aanmelden' }).count()).toBe(1);
    expect(await page.evaluate(async () => (await fetch('/admin/session')).status)).toBe(401);
    expect(problems).toEqual([]);
  });

  it('imports show the generations; an operator rolls back to the previous one with a reason', async () => {
    const { page, problems } = await open();
    await signIn(page, 'alice', 'beheerder');
    await page.goto(`${adminBase}/console/#/imports`);
    const table = page.getByTestId('generaties');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    expect(await table.locator('tr.huidig').textContent()).toContain(generations[1]);
    await table.locator('tr', { hasText: generations[0] }).getByRole('button', { name: 'quarantaine' }).click();
    await expect.poll(() => page.getByTestId('detail').textContent()).toMatch(/Quarantaine van generatie/);
    await shot(page, '09-imports');
    await table.locator('tr', { hasText: generations[0] }).getByRole('button', { name: 'terugzetten' }).click();
    await page.getByLabel('Reden').fill('De laatste import bevat een verkeerde export.');
    await page.getByRole('button', { name: 'Terugzetten bevestigen' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/nu in gebruik/);
    expect(await table.locator('tr.huidig').textContent()).toContain(generations[0]);
    expect(currentGenerationId(config.dataDir)).toBe(generations[0]);
    await shot(page, '10-teruggezet');
    expect(problems).toEqual([]);
  });

  it('the audit log finds the approved thread, verifies the chain and exports it', async () => {
    expect(approvedThread).toBeDefined();
    const { page, problems } = await open();
    await signIn(page, 'alice', 'beheerder');
    await page.goto(`${adminBase}/console/#/audit`);
    await page.getByLabel('Gesprek (thread)').fill(approvedThread!);
    await page.getByRole('button', { name: 'Zoeken' }).click();
    const rows = page.getByTestId('audit').locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(3);
    expect(await page.getByTestId('audit').textContent()).toMatch(/released/);
    for (const text of await rows.allTextContents()) expect(text).toContain(approvedThread);
    await page.getByRole('button', { name: 'Keten controleren' }).click();
    await expect.poll(() => page.getByTestId('verify').textContent()).toMatch(/De keten klopt/);
    await shot(page, '11-auditlog');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporteren' }).click()]);
    const lines = readFileSync(await download.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { thread_id?: string });
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((l) => l.thread_id === approvedThread)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('profiel-dekking: an operator runs the check and sees every profile with a status and reason per indicator; a viewer cannot start it', async () => {
    const { page, problems } = await open();
    await signIn(page, 'alice', 'beheerder');
    await page.goto(`${adminBase}/console/#/dekking`);
    await expect.poll(() => page.locator('.laden').count()).toBe(0);
    await page.getByRole('button', { name: 'Opnieuw controleren' }).click();
    await expect.poll(() => page.locator('article.vraag').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    const report = await adminGet<{ profiles: { indicators: { status: string }[] }[] }>('/admin/coverage');
    expect(await page.locator('article.vraag').count()).toBe(report.profiles.length);
    expect(await page.locator('article.vraag tbody tr').count()).toBe(report.profiles.flatMap((p) => p.indicators).length);
    expect(await page.locator('article.vraag .status', { hasText: 'gegevens' }).count()).toBeGreaterThan(0);
    await shot(page, '12-dekking');
    expect(problems).toEqual([]);

    const viewer = await open();
    await signIn(viewer.page, 'victor', 'meekijker');
    await viewer.page.goto(`${adminBase}/console/#/dekking`);
    await expect.poll(() => viewer.page.locator('article.vraag').count()).toBe(report.profiles.length);
    expect(await viewer.page.getByRole('button', { name: 'Opnieuw controleren' }).count(), 'a viewer does not start a run').toBe(0);
    expect(viewer.problems).toEqual([]);
  });

  it('the machine credential signs in too; connections and manual values have their pages (or say they are not there)', async () => {
    const { page, problems } = await open();
    await signInWithToken(page);
    for (const [hash, route, name] of [['koppelingen', '/admin/connections', '13-koppelingen'], ['waarden', '/admin/values', '14-waarden']] as const) {
      const served = (await fetch(`${adminBase}${route}`, { headers: { authorization: `Bearer ${adminToken(config)}` } })).status;
      await page.goto(`${adminBase}/console/#/${hash}`);
      await expect.poll(() => page.locator('.laden').count()).toBe(0);
      // on a datastation without the route the page says so; with it, no error is shown
      if (served === 404) expect(await page.getByTestId('niet-beschikbaar').isVisible()).toBe(true);
      else expect(await page.locator('.fout').count()).toBe(0);
      if (served !== 404 && hash === 'koppelingen') await addConnection(page);
      if (served !== 404 && hash === 'waarden') await addValue(page);
      await shot(page, name);
    }
    expect(problems).toEqual([]);
  });

  /** With the manual-values routes: an operator enters a value with a reason, and removes it with one. */
  async function addValue(page: Page): Promise<void> {
    await page.getByLabel('Van', { exact: true }).fill('2024-01-01');
    await page.getByLabel('Tot en met', { exact: true }).fill('2024-12-31');
    await page.getByLabel('Waarde', { exact: true }).fill('1234567,89');
    await page.getByLabel('Reden', { exact: true }).fill('Budgetbrief NZa 2024');
    await page.getByRole('button', { name: 'Toevoegen' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/vastgelegd/);
    const row = page.getByTestId('waarden').locator('tr', { hasText: '1234567.89' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('Budgetbrief NZa 2024');
    await row.getByLabel('Reden van verwijderen').fill('Verkeerd jaar ingevoerd');
    await row.getByRole('button', { name: 'verwijderen' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/verwijderd/);
  }

  /** With the connections routes: an operator adds a folder connection, tests it and sees its runs. */
  async function addConnection(page: Page): Promise<void> {
    await page.getByLabel('Naam', { exact: true }).fill('afas');
    await page.getByLabel('Systeem', { exact: true }).fill('afas-hr');
    await page.getByLabel('Map', { exact: true }).fill(join(EXAMPLE_DIR, 'afas-hr'));
    await page.getByRole('button', { name: 'Toevoegen' }).click();
    const row = page.getByTestId('koppelingen').locator('tr', { hasText: 'afas-hr' });
    await expect.poll(() => row.count()).toBe(1);
    await row.getByRole('button', { name: 'testen' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/afas: bereikbaar, [1-9]\d* bestand/);
    await row.getByRole('button', { name: 'runs' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Runs van afas' }).count()).toBe(1);
  }
});
