// Connections through the admin API (the real shell: its token hook, then admin-connections.ts)
// and through the CLI (a child process: exit 0, or exit 2 with one sentence).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes, ADMIN_ACTOR } from '../../src/api/routes/admin.js';
import { auditPath } from '../../src/audit/index.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { ConnectionScheduler, type RunResult } from '../../src/connections/index.js';
import { ReleaseQueue, type Deliverer } from '../../src/exchange/index.js';
import { currentGenerationId } from '../../src/store/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { configWithSecret, exportServer, systemFiles, type ExportServer } from './support.js';

const HR = systemFiles(WORKED_EXAMPLE, 'afas-hr');
const TOKEN = 't'.repeat(40);

describe('admin API', () => {
  let app: FastifyInstance;
  let config: Config;
  let server: ExportServer;
  let scheduler: ConnectionScheduler;
  beforeAll(async () => {
    config = configWithSecret();
    server = await exportServer(HR, { bearer: 'export-token' });
    scheduler = new ConnectionScheduler(config, { pollMs: 0 });
    app = Fastify();
    // The deliverer is not reached by connection routes: a stand-in that would fail loudly if it were.
    const deliverer = { kick: () => { throw new Error('not used'); } } as unknown as Deliverer;
    await app.register(adminRoutes({ dataDir: config.dataDir, adminToken: TOKEN, queue: new ReleaseQueue(config.dataDir), deliverer, connections: { config, scheduler } }));
  });
  afterAll(async () => {
    scheduler.stop();
    await app.close();
    await server.close();
  });
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, token = TOKEN) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('needs the admin token', async () => {
    expect((await call('GET', '/admin/connections', undefined, 'x'.repeat(40))).statusCode).toBe(401);
  });

  it('add, list (no secret), run, runs, edit schedule, delete; refusals are one code and one sentence', async () => {
    const source = { kind: 'http', url: server.url, files: Object.keys(HR), allowHttp: true, allowPrivate: true, auth: { kind: 'bearer', token: 'export-token' } };
    const added = await call('POST', '/admin/connections', { name: 'afas', system: 'afas-hr', source, schedule: '0 3 * * *' });
    expect(added.statusCode).toBe(201);
    expect(added.body).not.toContain('export-token');
    expect(added.json()).toMatchObject({ name: 'afas', by: ADMIN_ACTOR, source: { auth: { kind: 'bearer' } } });

    const bad = await call('POST', '/admin/connections', { name: 'b', system: 'afas-hr', source: { kind: 'ftp', path: '/x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: string }>().error).toBe('bad_connection');
    expect(bad.json<{ message: string }>().message).toMatch(/^source/);
    expect((await call('POST', '/admin/connections', { name: 'afas', system: 'afas-hr', source })).statusCode).toBe(409);
    expect((await call('GET', '/admin/connections/nope/runs')).json()).toMatchObject({ error: 'unknown_connection' });
    expect((await call('POST', '/admin/connections/..%2Fetc/run')).statusCode).toBe(404);

    const list = await call('GET', '/admin/connections');
    expect(list.body).not.toContain('secret');
    const [listed] = list.json<{ name: string; schedule: string; nextRun: string }[]>();
    expect(listed).toMatchObject({ name: 'afas', schedule: '0 3 * * *' });
    expect(listed!.nextRun).toMatch(/T\d\d:00:00/);

    expect((await call('POST', '/admin/connections/afas/test')).json()).toMatchObject({ ok: true });
    const run = await call('POST', '/admin/connections/afas/run');
    expect(run.statusCode).toBe(200);
    const ran = run.json<RunResult>();
    expect(ran).toMatchObject({ ok: true, generation: currentGenerationId(config.dataDir) });
    expect(ran.loaded).toBeGreaterThan(10);
    server.mode = 'fail';
    const failed = (await call('POST', '/admin/connections/afas/run')).json<RunResult>();
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatch(/answered HTTP 500 .*; generation \S+ stays current$/);
    server.mode = 'ok';
    const runs = (await call('GET', '/admin/connections/afas/runs')).json<{ ok: boolean; actor: string }[]>();
    expect(runs.map((r) => [r.ok, r.actor])).toEqual([[false, ADMIN_ACTOR], [true, ADMIN_ACTOR]]);

    const edited = await call('PUT', '/admin/connections/afas', { schedule: null });
    expect(edited.json<{ schedule?: string }>().schedule).toBeUndefined();
    expect(scheduler.next()).toEqual([]); // the change reached the running schedules
    expect((await call('DELETE', '/admin/connections/afas')).statusCode).toBe(204);
    expect((await call('GET', '/admin/connections')).json()).toEqual([]);
    const audit = readFileSync(auditPath(config.dataDir), 'utf8');
    expect(audit).not.toContain('export-token');
    expect(audit.match(/"activity":"connection-[a-z-]+"/g)).toEqual(expect.arrayContaining(['"activity":"connection-add"', '"activity":"connection-run"', '"activity":"connection-run-failed"', '"activity":"connection-edit"', '"activity":"connection-remove"']));
  }, 60_000);
});

describe('admin API: manual values', () => {
  it('set (who is the admin actor), list, remove with a reason; refusals are one code and one sentence', async () => {
    const config = configWithSecret();
    const app = Fastify();
    const deliverer = { kick: () => { throw new Error('not used'); } } as unknown as Deliverer;
    await app.register(adminRoutes({ dataDir: config.dataDir, adminToken: TOKEN, queue: new ReleaseQueue(config.dataDir), deliverer, connections: { config } }));
    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => app.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}` }, ...(payload ? { payload } : {}) });
    try {
      const set = await call('POST', '/admin/values', { kind: 'nza-correctie-voorgaande-jaren', period: { start: '2024-01-01', end: '2024-12-31' }, value: '-1200', unit: 'EUR', reason: 'afrekening 2022' });
      expect(set.statusCode).toBe(201);
      const created = set.json<{ value: { id: string; by: string }; generation: string }>();
      expect(created.value.by).toBe(ADMIN_ACTOR);
      expect(currentGenerationId(config.dataDir)).toBe(created.generation);
      expect((await call('GET', '/admin/values')).json<{ id: string }[]>().map((v) => v.id)).toEqual([created.value.id]);
      const refused = await call('POST', '/admin/values', { kind: 'nza-wettelijk-budget', period: { start: '2024-01-01', end: '2024-12-31' }, value: 'veel', unit: 'EUR', reason: 'x y z' });
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toEqual({ error: 'bad_value', message: 'value: a number such as 1234567.89' });
      expect((await call('DELETE', `/admin/values/${created.value.id}`, {})).json<{ error: string }>().error).toBe('bad_value'); // a reason is required
      const removed = await call('DELETE', `/admin/values/${created.value.id}`, { reason: 'verkeerd jaar' });
      expect(removed.statusCode).toBe(200);
      expect(removed.json<{ generation: string }>().generation).not.toBe(created.generation);
      expect((await call('DELETE', `/admin/values/${created.value.id}`, { reason: 'nog eens' })).statusCode).toBe(409);
      expect((await call('DELETE', '/admin/values/v-zzz', { reason: 'nog eens' })).statusCode).toBe(404);
      expect((await call('GET', '/admin/values')).json()).toEqual([]);
    } finally {
      await app.close();
    }
  }, 60_000);
});

describe('CLI', () => {
  const cli = join(packageRoot(), 'src', 'cli', 'main.ts');
  // Asynchronous: the export server runs in this process and must answer while the CLI waits.
  const run = (dataDir: string, args: string[], input?: string) =>
    new Promise<{ status: number; out: string; err: string }>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', cli, '--data-dir', dataDir, ...args], { env: { ...process.env, DATASTATION_KEY_SECRET: '' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('close', (status) => done({ status: status ?? -1, out, err }));
      child.stdin.end(input ?? '');
    });

  it('add with a basic credential from stdin, list, run; a failing run exits 2 with one sentence', async () => {
    const config = configWithSecret();
    const server = await exportServer(HR, { basic: ['ds', 'geheim-wachtwoord'] });
    try {
      const add = await run(config.dataDir, ['connections', 'add', 'afas', '--system', 'afas-hr', '--url', server.url, '--files', Object.keys(HR).join(','), '--allow-http', '--allow-private', '--auth', 'basic', '--user', 'ds', '--schedule', '30 4 * * *'], 'geheim-wachtwoord\n');
      expect(add.status).toBe(0);
      expect(add.out).toContain('added connection afas (afas-hr), runs on "30 4 * * *"');
      expect(readFileSync(join(config.dataDir, 'connections', 'connections.json'), 'utf8')).not.toContain('geheim');
      const ok = await run(config.dataDir, ['connections', 'run', 'afas']);
      expect(ok.status).toBe(0);
      expect(ok.out).toMatch(/^connection afas: generation g\S+, \d+ rows loaded, \d+ quarantined, from 4 file\(s\)/);
      expect((await run(config.dataDir, ['connections', 'list'])).out).toMatch(/^afas {2}afas-hr {2}http http:\/\/127\.0\.0\.1:\d+\/export\/ {2}"30 4 \* \* \*" {2}last run \S+ ok, generation g/);
      server.mode = 'fail';
      const failed = await run(config.dataDir, ['connections', 'run', 'afas']);
      expect(failed.status).toBe(2);
      expect(failed.err.trim()).toMatch(/^datastation: connection afas: http:\/\/127\.0\.0\.1:\d+ answered HTTP 500 for \S+; generation \S+ stays current$/);
      expect((await run(config.dataDir, ['connections', 'add', 'x', '--system', 'afas-hr', '--url', server.url, '--auth', 'bearer'])).err).toMatch(/--auth bearer needs the token on stdin or in --secret-file/);
    } finally {
      await server.close();
    }
  }, 180_000);
});
