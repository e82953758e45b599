// Connections end to end: a real folder drop, a real local HTTP server (basic and bearer auth),
// failing runs that keep the previous generation and say why, credentials sealed at rest, run
// history and audit entries, and a per-second schedule that fires.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { auditPath } from '../../src/audit/index.js';
import {
  ConnectionError, ConnectionScheduler, addConnection, connectionsDir, editConnection, listRuns, publicView, removeConnection, runConnection, testConnection, type RunResult,
} from '../../src/connections/index.js';
import { currentGenerationId, readManifest } from '../../src/store/index.js';
import { allowedAddress } from '../../src/trust/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { tempDir } from '../helpers.js';
import { configWithSecret, exportServer, systemFiles, type ExportServer } from './support.js';

const HR = systemFiles(WORKED_EXAMPLE, 'afas-hr');
const auditLines = (dataDir: string) => readFileSync(auditPath(dataDir), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const activities = (dataDir: string) => auditLines(dataDir).map((e) => e.activity ?? (e as { detail?: { activity?: string } }).detail?.activity);

/** A failed run, its one sentence and code. */
function failedWith(result: RunResult, sentence: RegExp, code?: string): void {
  expect(result.ok).toBe(false);
  expect(result.error).toMatch(sentence);
  expect(result.error).not.toContain('\n');
  if (code) expect(result.code).toBe(code);
}

let servers: ExportServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('a folder connection', () => {
  it('an empty folder fails with one sentence; dropped exports become a generation; a bad drop keeps it', async () => {
    const config = configWithSecret();
    const drop = tempDir('ds-drop-');
    await addConnection(config, { name: 'hr', system: 'afas-hr', source: { kind: 'folder', path: drop } }, 'test:alice');

    const empty = await runConnection(config, 'hr', { actor: 'test:alice' });
    expect(empty).toMatchObject({ ok: false, code: 'folder_empty', loaded: 0 });
    expect(empty.error).toBe(`the folder ${drop} holds no export files; nothing is imported yet`);
    expect(currentGenerationId(config.dataDir)).toBeUndefined();

    for (const [name, body] of Object.entries(HR)) writeFileSync(join(drop, name), body);
    writeFileSync(join(drop, 'medewerkers-nieuw.csv.part'), 'half a file'); // still being written: not read
    const ok = await runConnection(config, 'hr', { actor: 'test:alice' });
    expect(ok.ok).toBe(true);
    expect(ok.files).toBe(Object.keys(HR).length);
    expect(ok.loaded).toBeGreaterThan(10);
    expect(currentGenerationId(config.dataDir)).toBe(ok.generation);
    expect(readManifest(config.dataDir, ok.generation!).sources.map((s) => s.system)).toEqual(['afas-hr']);

    // A bad file (the employees export lost its key column): refused by the importer, the generation stays.
    writeFileSync(join(drop, 'medewerkers.csv'), 'Personeelsnummer;Geboortedatum\nP1;1-1-1980\n');
    const bad = await runConnection(config, 'hr', { actor: 'scheduler', trigger: 'schedule' });
    expect(bad.ok).toBe(false);
    expect(bad.code).toBe('shrunk_import');
    expect(bad.error).toMatch(/^import refused, generation \S+ stays current: afas-hr\/[a-z-]+: no row of .*\.csv could be mapped .*\(and \d+ more\)$/);
    expect(bad.error).not.toContain('\n');
    expect(currentGenerationId(config.dataDir)).toBe(ok.generation);

    const runs = listRuns(config.dataDir, 'hr');
    expect(runs.map((r) => [r.ok, r.trigger, r.actor])).toEqual([[false, 'schedule', 'scheduler'], [true, 'manual', 'test:alice'], [false, 'manual', 'test:alice']]);
    expect(runs[1]!.generation).toBe(ok.generation);
    const acts = activities(config.dataDir);
    expect(acts).toEqual(expect.arrayContaining(['connection-add', 'connection-run', 'connection-run-failed', 'import', 'import-failed']));
  }, 60_000);

  it('edit and remove are logged with who; unknown systems and bad schedules are refused at add', async () => {
    const config = configWithSecret();
    const drop = tempDir('ds-drop-');
    await expect(addConnection(config, { name: 'x', system: 'sap', source: { kind: 'folder', path: drop } }, 'a')).rejects.toMatchObject({ code: 'unknown_system' });
    const cron = await addConnection(config, { name: 'x', system: 'afas-hr', source: { kind: 'folder', path: drop }, schedule: 'every day' }, 'a').catch((e: ConnectionError) => e);
    expect(cron).toMatchObject({ code: 'bad_connection' });
    expect((cron as ConnectionError).message).toMatch(/^schedule: not a cron pattern/);
    await expect(addConnection(config, { name: '../x', system: 'afas-hr', source: { kind: 'folder', path: drop } }, 'a')).rejects.toMatchObject({ code: 'bad_connection' });
    await addConnection(config, { name: 'x', system: 'afas-hr', source: { kind: 'folder', path: drop }, schedule: '0 2 * * *' }, 'a');
    await expect(addConnection(config, { name: 'x', system: 'afas-hr', source: { kind: 'folder', path: drop } }, 'a')).rejects.toMatchObject({ code: 'connection_exists' });
    const edited = await editConnection(config, 'x', { schedule: null }, 'test:bob');
    expect(edited.schedule).toBeUndefined();
    expect(edited.by).toBe('test:bob');
    removeConnection(config, 'x', 'test:carol');
    await expect(runConnection(config, 'x', { actor: 'a' })).rejects.toBeInstanceOf(ConnectionError);
    const entries = auditLines(config.dataDir).filter((e) => (typeof e.activity === 'string' ? e.activity : '').startsWith('connection-'));
    expect(entries.map((e) => [e.activity, e.actor])).toEqual([['connection-add', 'a'], ['connection-edit', 'test:bob'], ['connection-remove', 'test:carol']]);
  });
});

describe('an HTTP connection', () => {
  it('fetches with basic auth; the password is sealed at rest; 401, 500, a hang and an oversize answer each keep the generation', async () => {
    const config = configWithSecret();
    const server = await exportServer(HR, { basic: ['datastation', 'pa$$word-éé'] });
    servers.push(server);
    const source = { kind: 'http', url: server.url, files: Object.keys(HR), allowHttp: true, allowPrivate: true, timeoutMs: 2000, auth: { kind: 'basic', user: 'datastation', password: 'pa$$word-éé' } };
    const c = await addConnection(config, { name: 'afas', system: 'afas-hr', source }, 'test:alice');
    const stored = readFileSync(join(connectionsDir(config.dataDir), 'connections.json'), 'utf8');
    expect(stored).not.toContain('pa$$word');
    expect(stored).toContain('"user": "datastation"');
    expect(JSON.stringify(publicView(c))).not.toContain('secret');
    expect(auditLines(config.dataDir).map((e) => JSON.stringify(e)).join('\n')).not.toContain('pa$$word');

    const tested = await testConnection(config, 'afas', 'test:alice');
    expect(tested).toMatchObject({ ok: true });
    expect(tested.files.map((f) => f.name).sort()).toEqual(Object.keys(HR).sort());
    expect(currentGenerationId(config.dataDir)).toBeUndefined(); // a test imports nothing

    const ok = await runConnection(config, 'afas', { actor: 'test:alice' });
    expect(ok).toMatchObject({ ok: true, files: Object.keys(HR).length });
    expect(server.requests.at(-1)!.authorization).toBe(`Basic ${Buffer.from('datastation:pa$$word-éé').toString('base64')}`);
    const generation = ok.generation!;

    await editConnection(config, 'afas', { source: { ...source, auth: { kind: 'basic', user: 'datastation', password: 'wrong' } } }, 'test:alice');
    expect((await runConnection(config, 'afas', { actor: 'a' })).error).toBe(`${new URL(server.url).origin} answered HTTP 401 for ${Object.keys(HR)[0]}; generation ${generation} stays current`);

    const { auth: _auth, ...withoutAuth } = source;
    await editConnection(config, 'afas', { source: { ...withoutAuth } }, 'test:alice'); // same origin: the stored (wrong) credential is kept
    server.mode = 'fail';
    const failed = await runConnection(config, 'afas', { actor: 'a' });
    expect(failed.code).toBe('http_status');
    expect(server.requests.at(-1)!.authorization).toMatch(/^Basic /);

    await editConnection(config, 'afas', { source }, 'test:alice');
    failedWith(await runConnection(config, 'afas', { actor: 'a' }), /answered HTTP 500 for .*; generation \S+ stays current$/);
    server.mode = 'hang';
    await editConnection(config, 'afas', { source: { ...source, timeoutMs: 300 } }, 'test:alice');
    failedWith(await runConnection(config, 'afas', { actor: 'a' }), /could not be fetched from http:\/\/127\.0\.0\.1:\d+: timed out; generation/, 'fetch_failed');
    server.mode = 'ok';
    server.files = { ...HR, 'medewerkers.csv': HR['medewerkers.csv'] + 'P9;1-1-1970\n'.repeat(500) };
    await editConnection(config, 'afas', { source: { ...source, maxBytes: 2048 } }, 'test:alice');
    failedWith(await runConnection(config, 'afas', { actor: 'a' }), /answer over \d+ bytes/);
    expect(currentGenerationId(config.dataDir)).toBe(generation);
    // Downloads of failed runs are not left behind.
    const staging = join(connectionsDir(config.dataDir), 'staging');
    expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
  }, 60_000);

  it('fetches one file with a bearer token; a loopback endpoint needs the allowPrivate opt-in', async () => {
    const config = configWithSecret();
    const files = { 'medewerkers.csv': HR['medewerkers.csv']! };
    const server = await exportServer(files, { bearer: 'tok-123.abc' });
    servers.push(server);
    const source = { kind: 'http', url: `${server.url}medewerkers.csv?format=csv`, allowHttp: true, auth: { kind: 'bearer', token: 'tok-123.abc' } };
    await addConnection(config, { name: 'one', system: 'afas-hr', source }, 'a');
    const refused = await runConnection(config, 'one', { actor: 'a' });
    expect(refused.error).toMatch(/^medewerkers\.csv could not be fetched from http:\/\/127\.0\.0\.1:\d+: the host resolves to an address that is not public \(allowPrivate opts a LAN endpoint in\)/);
    expect(server.requests).toHaveLength(0); // refused before connecting

    await editConnection(config, 'one', { source: { ...source, allowPrivate: true } }, 'a');
    const ok = await runConnection(config, 'one', { actor: 'a' });
    expect(server.requests.at(-1)).toEqual({ path: '/export/medewerkers.csv?format=csv', authorization: 'Bearer tok-123.abc' });
    // The one file is the employees; the other afas-hr entities are missing, and a first import takes that.
    expect(ok).toMatchObject({ ok: true, files: 1 });
    expect(readManifest(config.dataDir, ok.generation!).sources[0]!.entities!.find((e) => e.entity === 'employee')!.rowsMapped).toBe(5);
    // Pointed at another host without a credential given: the stored one is not sent there.
    const { auth: _auth, ...bare } = source;
    const moved = await editConnection(config, 'one', { source: { ...bare, url: 'https://exports.example.org/medewerkers.csv' } }, 'a');
    expect(moved.source).not.toHaveProperty('auth');
    const same = await editConnection(config, 'one', { source: { ...source, allowPrivate: true } }, 'a');
    expect(await editConnection(config, 'one', { source: { ...bare, allowPrivate: true } }, 'a')).toMatchObject({ source: { auth: same.source.kind === 'http' ? same.source.auth : {} } });
  }, 60_000);

  it('a credential is refused without a key secret to seal it with', async () => {
    const config = configWithSecret();
    const noSecret = { ...config, identity: { ...config.identity, keySecretFile: join(tempDir(), 'absent') } };
    await expect(addConnection(noSecret, { name: 'n', system: 'afas-hr', source: { kind: 'http', url: 'https://example.org/x.csv', auth: { kind: 'bearer', token: 't' } } }, 'a'))
      .rejects.toMatchObject({ code: 'no_key_secret' });
  });
});

describe('address policy', () => {
  it('allowPrivate lets LAN and loopback addresses through, never multicast or "this network"; without it they are refused', () => {
    const lan = { allowLoopback: true, allowPrivate: true };
    for (const a of ['192.168.1.20', '10.0.0.5', '172.16.3.4', '127.0.0.1', 'fd00::1', '::1', '8.8.8.8']) expect(allowedAddress(a, lan)).toBe(true);
    for (const a of ['224.0.0.1', '0.0.0.0', '::', 'ff02::1']) expect(allowedAddress(a, lan)).toBe(false);
    for (const a of ['192.168.1.20', '10.0.0.5', '127.0.0.1']) expect(allowedAddress(a, { allowLoopback: false })).toBe(false);
  });
});

describe('schedules', () => {
  it('a per-second schedule runs the connection; runs never overlap', async () => {
    const config = configWithSecret();
    const drop = tempDir('ds-drop-');
    mkdirSync(drop, { recursive: true });
    for (const [name, body] of Object.entries(HR)) writeFileSync(join(drop, name), body);
    await addConnection(config, { name: 'tick', system: 'afas-hr', source: { kind: 'folder', path: drop }, schedule: '* * * * * *' }, 'a');
    const seen: string[] = [];
    const scheduler = new ConnectionScheduler(config, { pollMs: 0, onRun: (name, r) => seen.push(`${name}:${'skipped' in r ? 'skipped' : r.ok}`) });
    scheduler.start();
    try {
      expect(scheduler.next()[0]).toMatchObject({ name: 'tick', schedule: '* * * * * *' });
      expect(Date.parse(scheduler.next()[0]!.nextRun!)).toBeGreaterThan(Date.now() - 1000);
      await vi.waitFor(() => expect(listRuns(config.dataDir, 'tick').some((r) => r.trigger === 'schedule' && r.ok)).toBe(true), { timeout: 30_000, interval: 100 });
    } finally {
      scheduler.stop();
    }
    expect(seen[0]).toBe('tick:true');
    const runs = listRuns(config.dataDir, 'tick', 200).filter((r) => r.code !== 'run_busy');
    // Never two at once: each run started after the one before it finished.
    const sorted = [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.startedAt >= sorted[i - 1]!.finishedAt).toBe(true);
    expect(runs[0]!.actor).toBe('scheduler');
  }, 60_000);

  it('a run while another holds the data folder is refused as busy', async () => {
    const config = configWithSecret();
    const drop = tempDir('ds-drop-');
    for (const [name, body] of Object.entries(HR)) writeFileSync(join(drop, name), body);
    await addConnection(config, { name: 'a', system: 'afas-hr', source: { kind: 'folder', path: drop } }, 'a');
    await addConnection(config, { name: 'b', system: 'afas-hr', source: { kind: 'folder', path: drop } }, 'a');
    const first = runConnection(config, 'a', { actor: 'a' });
    await expect(runConnection(config, 'b', { actor: 'a' })).rejects.toMatchObject({ code: 'run_busy' });
    expect((await first).ok).toBe(true);
  }, 60_000);
});
