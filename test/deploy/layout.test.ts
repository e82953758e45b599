// The reference layout of processes (deploy/compose.yaml, datastation.yaml, haproxy.cfg) run on
// this machine without Docker, as Compose would run it: real PostgreSQL (a schema of its own), the
// one-shot migrate service, the importer adding two tenants and importing their exports, then the
// api service's command twice (its replicas) with the healthcheck compose runs, and HAProxy with
// haproxy.cfg in front of them. Both processes must serve one shared state (tenants, audit chain,
// release queue), and killing one must leave the deployment serving. What this cannot cover (the
// image build, container networking, the postgres image's init script) needs a Docker host.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from '../../src/config/index.js';
import { openState, releaseQueue } from '../../src/state/index.js';
import { tenantConfig } from '../../src/tenants/index.js';
import { tempDir } from '../helpers.js';
import { freePort } from '../e2e/support.js';
import { ADMIN_URL, APP_URL, skipReason as pgSkipReason } from '../state/support.js';
import { haproxyBinary, hostCommand, interpolate, loopbackHaproxy, makeCerts, mapPath, readCompose, readDeploymentConfig, ROOT, skipReason, volumeMounts, writeYaml, type Service } from './support.js';

const skip = skipReason(pgSkipReason());
if (skip) console.warn(`test/deploy/layout.test.ts skipped: ${skip}`);

const KEY_SECRET = 'a-long-random-secret-for-the-layout-test-0123456789';
const ADMIN_TOKEN = 'the-deployments-admin-token-for-the-layout-test-0123';

const children: ChildProcess[] = [];
function start(cmd: string[], env: NodeJS.ProcessEnv): { proc: ChildProcess; log: () => string } {
  let log = '';
  const proc = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-200_000)));
  proc.stderr.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-200_000)));
  children.push(proc);
  return { proc, log: () => log };
}

function run(cmd: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    execFile(cmd[0]!, cmd.slice(1), { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? null) : 0, out: stdout + stderr }),
    );
  });
}

interface Answer { status?: number; body: string; error?: string }
/** One HTTPS request to the lb, trusting the test's server CA, optionally with a client certificate. */
function lb(port: number, ca: string, path: string, options: { method?: string; body?: string; cert?: string; key?: string } = {}): Promise<Answer> {
  return new Promise((done) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', servername: 'localhost', ca: readFileSync(ca), agent: false, timeout: 10_000,
        headers: options.body ? { 'content-type': 'application/json' } : {},
        ...(options.cert ? { cert: readFileSync(options.cert), key: readFileSync(options.key!) } : {}) },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => done({ status: res.statusCode, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => done({ body: '', error: e.code ?? e.message }));
    req.end(options.body);
  });
}

async function http(url: string, token?: string, init: RequestInit = {}): Promise<{ status: number; json: unknown }> {
  const r = await fetch(url, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  const text = await r.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: r.status, json };
}

async function until(what: string, check: () => Promise<boolean>, ms: number, detail: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what} never happened: ${detail().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe.skipIf(!!skip)('the reference layout in deploy/, run without Docker', () => {
  // A schema of its own, created by the migrate service, dropped at the end.
  const schema = `t_layout_${randomBytes(6).toString('hex')}`;
  afterAll(async () => {
    await Promise.all(children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM'), setTimeout(() => c.kill('SIGKILL'), 5000).unref()))));
    if (!ADMIN_URL) return;
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });

  it('compose and datastation.yaml agree: PostgreSQL state for several API processes, migrations before them, the lb as the only trusted proxy', () => {
    const compose = readCompose();
    const raw = readDeploymentConfig();
    // The file is valid for the strict schema as it stands (env: URLs resolve only when used).
    expect(configSchema.safeParse(raw).success).toBe(true);
    const config = configSchema.parse(raw);
    const { api, lb: edge, migrate, importer } = compose.services;
    expect(api!.deploy?.replicas).toBeGreaterThan(1);
    expect(config.state.kind).toBe('postgres'); // file state is single-writer: one API process only
    expect(config.state).toMatchObject({ url: 'env:DATABASE_URL' });
    expect(config.tenants.readiness.postgres).toBe('env:DATABASE_URL');
    for (const s of [api!, importer!]) expect(s.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' }, postgres: { condition: 'service_healthy' } });
    // Only the one-shot migrate service holds the owner's password.
    expect(Object.keys(migrate!.environment!)).toContain('DATASTATION_STATE_OWNER_URL');
    for (const s of [api!, importer!]) expect(Object.values(s.environment!).join(' ')).not.toContain('kikv_owner');
    const lbAddress = (edge!.networks as Record<string, { ipv4_address?: string }>).datastation!.ipv4_address;
    expect(config.server.trustedProxies).toEqual([lbAddress]);
    expect(config.server.clientCertHeader).toBe('x-ssl-client-verified');
    expect(readFileSync(join(ROOT, 'deploy', 'haproxy.cfg'), 'utf8')).toContain(`set-header ${config.server.clientCertHeader} `);
    // The fixed address is in the network's subnet and outside the range Docker hands out.
    const [{ subnet, ip_range }] = compose.networks.datastation!.ipam.config as [{ subnet: string; ip_range: string }];
    const last = Number(lbAddress!.split('.').at(-1));
    expect(lbAddress!.startsWith(subnet.split('.').slice(0, 3).join('.'))).toBe(true);
    expect(last).toBeLessThan(Number(ip_range.split('/')[0]!.split('.').at(-1)));
    // The deployment volume is the image's VOLUME, the folder its unprivileged user owns: a path
    // the image lacks would be a root-owned volume the datastation cannot write.
    const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
    const imageVolume = (JSON.parse(/^VOLUME (\[.*\])$/m.exec(dockerfile)![1]!) as string[])[0]!;
    expect(dockerfile).toMatch(new RegExp(`chown node:node ${imageVolume}\\b`));
    for (const s of [api!, importer!, migrate!]) {
      expect(s.volumes).toContain(`deployment:${imageVolume}`);
      expect(s.environment!.DATASTATION_DATA_DIR).toBe(imageVolume);
    }
    // A required variable left unset stops compose, as docker compose does.
    expect(() => interpolate(api!.environment!.DATASTATION_KEY_SECRET!, {})).toThrow(/DATASTATION_KEY_SECRET is required/);
  });

  it('migrate, two tenants, their imports, two API processes and HAProxy: one shared state; one killed, the deployment serves on', async () => {
    const compose = readCompose();
    const { api, migrate, importer } = compose.services;
    const root = tempDir('ds-layout-');
    const [deployDir, certs, etc] = ['deploy', 'certs', 'etc'].map((d) => join(root, d)) as [string, string, string];
    for (const d of [deployDir, certs, etc]) mkdirSync(d);

    // datastation.yaml as mounted, with the test's schema and the lb on loopback as the trusted proxy.
    const raw = readDeploymentConfig() as { state: Record<string, unknown>; server: { trustedProxies: string[] } };
    expect(raw.server.trustedProxies).toHaveLength(1);
    raw.state.schema = schema;
    raw.server.trustedProxies = ['127.0.0.1'];
    const configFile = join(etc, 'datastation.yaml');
    writeYaml(configFile, raw);

    const db = new URL(APP_URL!);
    const vars = {
      DATASTATION_KEY_SECRET: KEY_SECRET,
      DATASTATION_ADMIN_TOKEN: ADMIN_TOKEN,
      KIKV_APP_PASSWORD: decodeURIComponent(db.password),
      KIKV_OWNER_PASSWORD: decodeURIComponent(new URL(ADMIN_URL!).password),
      KIKV_PG_SUPERUSER_PASSWORD: 'unused-here',
    };
    const hostFor = { deployment: deployDir, './datastation.yaml': configFile, './exports': join(ROOT, 'examples'), './haproxy.cfg': '', './certs': certs };
    /** A service's environment as the container sees it, on this machine: paths mapped, the postgres service at the test server. */
    const envOf = (service: Service, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
      const mounts = volumeMounts(service, hostFor);
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: root };
      for (const [k, v] of Object.entries(service.environment ?? {})) {
        let value = mapPath(interpolate(v, vars), mounts);
        if (/^postgres:\/\/[^@]*@postgres:5432\//.test(value)) value = value.replace('@postgres:5432/', `@${db.host}/`);
        env[k] = value;
      }
      return { ...env, ...extra };
    };

    const t0 = Date.now();
    const step = (name: string) => console.log(`layout: ${name} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const migrated = await run(hostCommand(migrate!.command!), envOf(migrate!));
    expect(migrated.out).toContain(`applied migration(s) 1, 2; schema ${schema}`);
    expect(migrated.code).toBe(0);
    // `docker compose exec importer …`: its paths (/exports) are the importer's mounts.
    const cli = (args: string[]) => run(hostCommand(['node', 'dist/src/cli/main.js', ...args.map((a) => mapPath(a, volumeMounts(importer!, hostFor)))]), envOf(importer!));
    for (const id of ['zorg-a', 'zorg-b']) {
      const added = await cli(['tenants', 'add', id]);
      expect(added.out).toContain(`tenant ${id} added: did:web:datastation.supplier.example:tenants:${id}`);
    }
    step('tenants added');
    // The imports, and the migrate service again (a restart of the stack): on a deployment with tenants now.
    const [a, b, again] = await Promise.all([
      cli(['--tenant', 'zorg-a', 'import', '--quiet', '/exports/de-linde']),
      cli(['--tenant', 'zorg-b', 'import', '--quiet', '/exports/de-linde']),
      run(hostCommand(migrate!.command!), envOf(migrate!)),
    ]);
    expect(a.code, a.out).toBe(0);
    expect(b.code, b.out).toBe(0);
    expect(again.out).toContain('is up to date');
    expect(again.code).toBe(0);

    step('imported');
    // The api service's command, once per replica, each on its own loopback ports.
    const replicas = await Promise.all(
      Array.from({ length: api!.deploy!.replicas! }, async () => {
        const [port, adminPort] = [await freePort(), await freePort()];
        const env = envOf(api!, { DATASTATION_HOST: '127.0.0.1', DATASTATION_ADMIN_HOST: '127.0.0.1', DATASTATION_PORT: String(port), DATASTATION_ADMIN_PORT: String(adminPort) });
        return { port, adminPort, env, ...start(hostCommand(api!.command!), env) };
      }),
    );
    const health = hostCommand(api!.healthcheck!.test.slice(1)); // ["CMD", …]
    // Waited for with plain GETs (a CLI start per poll would slow the loading processes down), then
    // the healthcheck compose runs must pass on each.
    const answers = (url: string) => fetch(url).then((r) => (void r.body?.cancel(), r.status === 200), () => false);
    await Promise.all(replicas.map((r) => until('/ready of an api process', () => answers(`http://127.0.0.1:${r.port}/ready`), 300_000, r.log)));
    for (const r of replicas) expect(await run(health, r.env)).toMatchObject({ code: 0 });

    step('both api processes ready');
    // Sizing (printed, not asserted): each API process's resident memory with both tenants loaded.
    const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
    for (const r of replicas) console.log(`layout: api process ${r.proc.pid} resident ${rss(r.proc.pid!).toFixed(0)} MiB (2 tenants, the example organisation each)`);
    // HAProxy with haproxy.cfg, on loopback, in front of the two processes.
    const tls = makeCerts(certs);
    const [lbPort, lbAdmin] = [await freePort(), await freePort()];
    const cfg = loopbackHaproxy(readFileSync(join(ROOT, 'deploy', 'haproxy.cfg'), 'utf8'), {
      certs,
      binds: { 8443: lbPort, 8444: lbAdmin },
      replicas: { 'api:8443': replicas.map((r) => r.port), 'api:8444': replicas.map((r) => r.adminPort) },
    });
    writeFileSync(join(root, 'haproxy.cfg'), cfg);
    const haproxy = start([haproxyBinary()!, '-db', '-f', join(root, 'haproxy.cfg')], { PATH: process.env.PATH });
    await until('HAProxy /ready', async () => (await lb(lbPort, tls.serverCa, '/ready')).status === 200, 30_000, haproxy.log);

    step('haproxy ready');
    console.log(`layout: haproxy resident ${rss(haproxy.proc.pid!).toFixed(0)} MiB`);
    // One deployment: the same tenants, PostgreSQL and deployment-audit verdict on both.
    for (const r of replicas) {
      expect(await http(`http://127.0.0.1:${r.adminPort}/ready`, ADMIN_TOKEN)).toEqual({ status: 200, json: { ready: true, tenants: { 'zorg-a': true, 'zorg-b': true }, shared: { postgres: true, audit: true } } });
    }
    const tokenA = readFileSync(join(deployDir, 'tenants', 'zorg-a', 'identity', 'admin-token'), 'utf8').trim();
    const [one, two] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    // One audit chain: the verify on one process (itself an entry) is in the chain the other verifies.
    const v1 = (await http(`http://127.0.0.1:${one.adminPort}/tenants/zorg-a/admin/audit/verify`, tokenA)).json as { ok: boolean; entries: number; head: { hash: string } };
    const v2 = (await http(`http://127.0.0.1:${two.adminPort}/tenants/zorg-a/admin/audit/verify`, tokenA)).json as { ok: boolean; entries: number };
    expect(v1.ok && v2.ok).toBe(true);
    expect(v2.entries).toBe(v1.entries + 1);

    // One release queue: an answer queued (as the exchange queues it) is listed by both, decided on one, seen decided on the other.
    const base = loadConfig({ file: configFile, env: one.env });
    const tenant = tenantConfig(base, 'zorg-a');
    const own = { ...tenant, state: { ...tenant.state, url: one.env.DATABASE_URL! } } as typeof tenant;
    const state = openState(own)!;
    try {
      releaseQueue(own).add({ id: 'layout-1', thread_id: 'thread-layout-1', requester: 'did:web:requester.example', reply_url: 'http://127.0.0.1:9/inbox', received: new Date().toISOString(), questions: [], preview: {} }, '{"answer":1}');
    } finally {
      await state.close();
    }
    for (const r of replicas) {
      const listed = (await http(`http://127.0.0.1:${r.adminPort}/tenants/zorg-a/admin/releases`, tokenA)).json as { id: string; state: string }[];
      expect(listed.map((i) => [i.id, i.state])).toEqual([['layout-1', 'pending']]);
    }
    const tokenB = readFileSync(join(deployDir, 'tenants', 'zorg-b', 'identity', 'admin-token'), 'utf8').trim();
    expect((await http(`http://127.0.0.1:${two.adminPort}/tenants/zorg-b/admin/releases`, tokenB)).json).toEqual([]); // keyed apart
    const rejected = await http(`http://127.0.0.1:${one.adminPort}/tenants/zorg-a/admin/releases/layout-1/reject`, tokenA, { method: 'POST', body: JSON.stringify({ reason: 'layout test' }) });
    expect(rejected.status, JSON.stringify(rejected.json)).toBe(200);
    expect((await http(`http://127.0.0.1:${two.adminPort}/tenants/zorg-a/admin/releases/layout-1`, tokenA)).json).toMatchObject({ id: 'layout-1', state: 'rejected' });

    // Through HAProxy: public documents for anyone; the requester API only with a client certificate it verified.
    const did = await lb(lbPort, tls.serverCa, '/tenants/zorg-a/did.json');
    expect(did.status).toBe(200);
    expect(JSON.parse(did.body)).toMatchObject({ id: 'did:web:datastation.supplier.example:tenants:zorg-a' });
    const ask = { method: 'POST', body: '{}' };
    expect(JSON.parse((await lb(lbPort, tls.serverCa, '/tenants/zorg-a/api/verifiedsparql', ask)).body)).toMatchObject({ body: { code: 'client_certificate_required' } });
    const stranger = await lb(lbPort, tls.serverCa, '/tenants/zorg-a/api/verifiedsparql', { ...ask, cert: tls.strangerCert, key: tls.strangerKey });
    expect([stranger.status, typeof stranger.error]).toEqual([undefined, 'string']); // a certificate of another CA: the handshake fails
    const verified = await lb(lbPort, tls.serverCa, '/tenants/zorg-a/api/verifiedsparql', { ...ask, cert: tls.clientCert, key: tls.clientKey });
    expect(verified.status).toBe(400); // past the certificate gate: the tenant's own refusal of an empty message
    expect(verified.body).not.toContain('client_certificate_required');
    // Sent to the API directly, the header the proxy sets means nothing without the proxy's certificate check.
    expect((await http(`http://127.0.0.1:${one.port}/tenants/zorg-a/api/verifiedsparql`, undefined, { method: 'POST', body: '{}' })).status).toBe(403);
    // Round robin: both processes answered requests from the lb.
    for (let i = 0; i < 4; i++) expect((await lb(lbPort, tls.serverCa, `/tenants/zorg-b/datacatalog?round=${i}`)).status).toBe(200);
    for (const r of replicas) expect(r.log()).toMatch(/"url":"\/datacatalog\?round=\d"/);

    step('shared state checked');
    // One process killed: the other is healthy, and every request through the lb is still answered.
    one.proc.kill('SIGKILL');
    await new Promise((r) => one.proc.once('exit', r));
    expect((await run(health, one.env)).code).not.toBe(0);
    expect((await run(health, two.env)).code).toBe(0);
    for (let i = 0; i < 6; i++) expect((await lb(lbPort, tls.serverCa, '/tenants/zorg-a/did.json')).status, `request ${i} after the kill`).toBe(200);
    expect((await http(`http://127.0.0.1:${two.adminPort}/tenants/zorg-a/admin/releases/layout-1`, tokenA)).json).toMatchObject({ state: 'rejected' });
  }, 400_000);
});

describe.skipIf(!!skip)('deploy/haproxy.cfg', () => {
  it('is a valid configuration for the HAProxy series compose runs (haproxy -c), certificates in place', () => {
    const certs = tempDir('ds-haproxy-');
    makeCerts(certs);
    const cfg = join(certs, 'haproxy.cfg');
    // Only the certificate folder moved: Docker's resolver and the api names stay as they are.
    writeFileSync(cfg, readFileSync(join(ROOT, 'deploy', 'haproxy.cfg'), 'utf8').replaceAll('/etc/haproxy/certs/', `${certs}/`));
    const version = /haproxy:(\d+\.\d+)/.exec(readFileSync(join(ROOT, 'deploy', 'compose.yaml'), 'utf8'))![1]!;
    const checked = spawnSync(haproxyBinary()!, ['-c', '-f', cfg], { encoding: 'utf8' });
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    expect(checked.stdout + checked.stderr).toContain('Configuration file is valid');
    expect(spawnSync(haproxyBinary()!, ['-v'], { encoding: 'utf8' }).stdout).toContain(`HAProxy version ${version}.`);
  });
});
