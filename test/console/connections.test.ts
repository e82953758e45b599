// Connections and manual values in a real browser (Debian's Chromium driven by playwright-core, the
// same launch flags as console.test.ts): an operator adds a folder connection, drops an export in
// the folder and reads it in now; the imports page shows the new generation; a bad drop fails with
// one sentence and the previous generation stays current; a manual value is entered with period,
// unit and reason; a viewer sees neither run nor add buttons. Screenshots to test-output/screenshots/.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/accounts/index.js';
import { startDatastation, type Datastation } from '../../src/api/index.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { currentGenerationId } from '../../src/store/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { makeWorld } from '../trust/world.js';
import { HAVE_CHROMIUM, launchConsoleBrowser, openConsole, shot, signIn, type ConsoleBrowser } from './browser.js';

const PASSWORDS: Record<string, string> = { olga: 'operator of the nightly imports', vera: 'viewer who only looks' };

// console.test.ts warns and, in CI, fails when Chromium is missing; this file only skips.
describe.runIf(HAVE_CHROMIUM)('connections and manual values in the console (Chromium)', () => {
  let config: Config;
  let ds: Datastation;
  let adminBase: string;
  let browser: ConsoleBrowser;
  let drop: string;
  let first: string;

  beforeAll(async () => {
    const w = await makeWorld({ 'query.workers': 1 });
    config = w.config;
    first = (await runImport(config, { inputs: [EXAMPLE_DIR] })).generation;
    const accounts = new AccountStore(config.dataDir);
    await accounts.add('olga', 'operator', PASSWORDS.olga!, 'test');
    await accounts.add('vera', 'viewer', PASSWORDS.vera!, 'test');
    drop = mkdtempSync(join(tmpdir(), 'ds-drop-'));
    ds = await startDatastation(config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
    await ds.app.listen({ host: '127.0.0.1', port: 0 });
    adminBase = await ds.admin.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchConsoleBrowser({ locale: 'nl-NL' }); // a Dutch operator's browser: dates as dd-mm-jjjj
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ds?.close();
    if (drop) rmSync(drop, { recursive: true, force: true });
  });

  /** A new page without cookies, signed in; page errors, CSP violations and requests elsewhere collected. */
  async function signedIn(account: 'olga' | 'vera', role: string, hash: string): Promise<{ page: Page; problems: string[] }> {
    const { page, problems } = await openConsole(browser.context, adminBase);
    await signIn(page, account, PASSWORDS[account]!, role);
    await page.goto(`${adminBase}/console/#/${hash}`);
    await expect.poll(() => page.locator('.laden').count()).toBe(0);
    return { page, problems };
  }

  it('an operator adds a folder connection, drops an export, reads it in now, and the imports page shows the new generation', async () => {
    const { page, problems } = await signedIn('olga', 'beheerder', 'koppelingen');
    await page.getByLabel('Naam', { exact: true }).fill('hr');
    await page.getByLabel('Systeem', { exact: true }).fill('afas-hr');
    await page.getByLabel('Map', { exact: true }).fill(drop);
    // a refusal is one Dutch sentence by its code and field, not the API's English one
    await page.getByLabel('Schema (cron)').fill('elke nacht');
    await page.getByRole('button', { name: 'Toevoegen' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('De koppeling klopt niet. Het schema is geen geldig cron-patroon (5 velden, of 6 met seconden), bijvoorbeeld 0 2 * * *.');
    await page.getByLabel('Schema (cron)').fill('');
    await page.getByRole('button', { name: 'Toevoegen' }).click();
    const row = page.getByTestId('koppelingen').locator('tr', { hasText: 'afas-hr' });
    await expect.poll(() => row.count()).toBe(1);

    // the ECD's export arrives in the folder
    for (const file of readdirSync(join(EXAMPLE_DIR, 'afas-hr'))) copyFileSync(join(EXAMPLE_DIR, 'afas-hr', file), join(drop, file));
    await row.getByRole('button', { name: 'nu inlezen' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/^hr: [1-9]\d* geladen, \d+ in quarantaine, generatie \S+$/);
    const created = currentGenerationId(config.dataDir)!;
    expect(created).not.toBe(first);
    expect(await page.getByRole('status').textContent()).toContain(created);
    await expect.poll(() => row.textContent()).toMatch(/gelukt/);
    await shot(page, '15-koppeling-ingelezen');

    await page.goto(`${adminBase}/console/#/imports`);
    const table = page.getByTestId('generaties');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    expect(await table.locator('tr.huidig').textContent()).toContain(created);
    // served at once (this server does not poll): the run through the admin API switched it
    expect(await table.locator('tr.huidig').textContent()).not.toContain('nog niet geladen');
    expect(await table.locator('tr', { hasText: first }).getAttribute('class')).not.toContain('huidig');
    await shot(page, '16-imports-na-koppeling');
    expect(problems).toEqual([]);
  }, 90_000);

  it('a bad drop fails with the one-sentence reason and the previous generation stays current', async () => {
    const before = currentGenerationId(config.dataDir)!;
    // the employees export lost its key column: the importer refuses the run
    writeFileSync(join(drop, 'medewerkers.csv'), 'Personeelsnummer;Geboortedatum\nP1;1-1-1980\n');
    const { page, problems } = await signedIn('olga', 'beheerder', 'koppelingen');
    const row = page.getByTestId('koppelingen').locator('tr', { hasText: 'afas-hr' });
    await row.getByRole('button', { name: 'nu inlezen' }).click();
    const status = page.locator('p.fout[role="status"]');
    await expect.poll(() => status.count(), { timeout: 60_000 }).toBe(1);
    // one Dutch sentence by the run's code; the run's own sentence (file, row) folded away beside it
    expect(await status.textContent()).toBe(`hr: De import is geweigerd omdat de nieuwe export veel minder bruikbare gegevens bevat dan de vorige (bijvoorbeeld een ontbrekende of hernoemde kolom); generatie ${before} blijft in gebruik.`);
    const technical = page.locator('details.technisch').first();
    expect(await technical.isVisible()).toBe(true);
    await technical.locator('summary').click();
    expect(await technical.textContent()).toMatch(new RegExp(`import refused, generation ${before} stays current: .+`));
    await expect.poll(() => row.textContent()).toMatch(/mislukt/);
    expect(currentGenerationId(config.dataDir)).toBe(before);
    // the runs list keeps both, the failed one with its reason
    await row.getByRole('button', { name: 'runs' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Runs van hr' }).count()).toBe(1);
    const runs = page.locator('table.lijst').last().locator('tbody tr');
    await expect.poll(() => runs.count()).toBe(2);
    expect(await runs.first().textContent()).toContain(`De import is geweigerd`);
    expect(await runs.first().textContent()).toContain(`generatie ${before} blijft in gebruik.`);
    expect(await runs.last().textContent()).toContain(before);
    await shot(page, '17-koppeling-mislukt');

    await page.goto(`${adminBase}/console/#/imports`);
    await expect.poll(() => page.getByTestId('generaties').locator('tbody tr').count()).toBe(2);
    expect(await page.getByTestId('generaties').locator('tr.huidig').textContent()).toContain(before);
    expect(problems).toEqual([]);
  }, 90_000);

  it('an operator enters a manual value with period, unit and reason, and it is listed with who entered it', async () => {
    const { page, problems } = await signedIn('olga', 'beheerder', 'waarden');
    // (a label around a select takes the chosen option into its name: found by the field's name)
    await page.locator('select[name="kind"]').selectOption('nza-budgetcorrecties');
    await page.getByLabel('Van', { exact: true }).fill('2025-01-01');
    await page.getByLabel('Tot en met', { exact: true }).fill('2025-12-31');
    await page.getByLabel('Waarde', { exact: true }).fill('-4321,5');
    await page.locator('select[name="unit"]').selectOption('EUR');
    await page.getByLabel('Reden', { exact: true }).fill('Nacalculatie NZa 2025, brief van 3 maart');
    const before = currentGenerationId(config.dataDir);
    // the same page refuses a value that is not a number, in Dutch, and keeps what was typed
    await page.getByLabel('Waarde', { exact: true }).fill('veel');
    await page.getByRole('button', { name: 'Toevoegen' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('De waarde klopt niet. Geef een getal op, zoals 1234567,89.');
    expect(currentGenerationId(config.dataDir)).toBe(before);
    await page.getByLabel('Waarde', { exact: true }).fill('-4321,5');
    await page.getByRole('button', { name: 'Toevoegen' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^De waarde is vastgelegd \(generatie \S+\)\.$/);
    const row = page.getByTestId('waarden').locator('tr', { hasText: '-4321.5' });
    await expect.poll(() => row.count()).toBe(1);
    const text = (await row.textContent())!;
    for (const part of ['Berekende correcties op het toegekend wettelijk budget', '2025-01-01 – 2025-12-31', '-4321.5 EUR', 'account:olga', 'Nacalculatie NZa 2025, brief van 3 maart']) expect(text).toContain(part);
    // a new generation holds it
    expect(currentGenerationId(config.dataDir)).not.toBe(before);
    await shot(page, '18-handmatige-waarde');
    expect(problems).toEqual([]);
  });

  it('a viewer sees the connection and the value, but no run, test, add or remove buttons', async () => {
    const { page, problems } = await signedIn('vera', 'meekijker', 'koppelingen');
    const row = page.getByTestId('koppelingen').locator('tr', { hasText: 'afas-hr' });
    await expect.poll(() => row.count()).toBe(1);
    for (const name of ['nu inlezen', 'testen', 'verwijderen', 'Toevoegen']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    expect(await page.getByRole('heading', { name: 'Koppeling toevoegen' }).count()).toBe(0);
    // looking is allowed: the runs
    await row.getByRole('button', { name: 'runs' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Runs van hr' }).count()).toBe(1);
    await shot(page, '19-koppelingen-meekijker');

    await page.goto(`${adminBase}/console/#/waarden`);
    await expect.poll(() => page.getByTestId('waarden').locator('tbody tr').count()).toBe(1);
    for (const name of ['Toevoegen', 'verwijderen']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    expect(await page.getByLabel('Waarde', { exact: true }).count()).toBe(0);
    // and what the viewer could try by hand is refused by the API
    const status = await page.evaluate(async () => {
      const session = (await (await fetch('/admin/session')).json()) as { csrf: string };
      return (await fetch('/admin/connections/hr/run', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf }, body: '{}' })).status;
    });
    expect(status).toBe(403);
    expect(problems).toEqual([]);
  });
});
