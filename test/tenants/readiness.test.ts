// The deployment's readiness: PostgreSQL and a tenant's SPARQL server are asked with a deadline;
// no tenant, a failed probe, or an unreachable server makes it not ready, with a reason of our own.
import { createServer, type Server } from 'node:http';
import { createServer as createTcp } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { postgresProbe, postgresUrl, readiness } from '../../src/tenants/index.js';
import { storeProbe, type Probe } from '../../src/tenants/readiness.js';
import { freePort } from '../e2e/support.js';
import { testConfig } from '../helpers.js';

const PG = process.env.KIKV_TEST_PG_URL;

async function listening(server: Server | ReturnType<typeof createTcp>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('deployment readiness', () => {
  it('reads the PostgreSQL URL from the environment when configured as env:NAME', () => {
    expect(postgresUrl('env:PG_URL', { PG_URL: 'postgres://x@h/db' })).toBe('postgres://x@h/db');
    expect(postgresUrl('env:PG_URL', {})).toBeUndefined();
    expect(postgresUrl('postgres://y@h/db', {})).toBe('postgres://y@h/db');
    expect(testConfig(undefined, { 'tenants.readiness.postgres': 'env:PG_URL' }).tenants.readiness.postgres).toBe('env:PG_URL');
  });

  it('is not ready when PostgreSQL refuses the connection or never answers, within the deadline', async () => {
    const closed = await postgresProbe(`postgres://u:p@127.0.0.1:${await freePort()}/db`, 1000)();
    expect(closed).toMatch(/^PostgreSQL is not reachable \(ECONNREFUSED\)/);
    // a peer that accepts and stays silent
    const silent = createTcp(() => undefined);
    const port = await listening(silent);
    const started = Date.now();
    const mute = await postgresProbe(`postgres://u:p@127.0.0.1:${port}/db`, 500)();
    expect(mute).toMatch(/^PostgreSQL is not reachable/);
    expect(Date.now() - started).toBeLessThan(10_000);
    silent.close();
  });

  it.skipIf(!PG && !process.env.CI)('is ready when PostgreSQL answers (KIKV_TEST_PG_URL, from scripts/ci/postgres.sh)', async () => {
    if (!PG) throw new Error('KIKV_TEST_PG_URL is not set: in CI scripts/ci/postgres.sh must provide PostgreSQL');
    expect(await postgresProbe(PG, 3000)()).toBe(true);
  });

  it("asks a tenant's SPARQL server, and only a remote one", async () => {
    expect(storeProbe(testConfig(), 500)).toBeUndefined();
    let status = 200;
    const server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/sparql-results+json' }).end('{"head":{},"boolean":true}'));
    const port = await listening(server);
    const remote = testConfig(undefined, { store: { kind: 'sparql', engine: 'oxigraph-server', endpoint: `http://127.0.0.1:${port}/query`, gsp: `http://127.0.0.1:${port}/store` } });
    const probe = storeProbe(remote, 1000)!;
    expect(await probe()).toBe(true);
    status = 500;
    expect(await probe()).toBe('the SPARQL server answered HTTP 500');
    server.close();
    const gone = testConfig(undefined, { store: { kind: 'sparql', engine: 'fuseki', endpoint: `http://127.0.0.1:${await freePort()}/ds/query`, gsp: 'http://127.0.0.1:1/ds/data' } });
    expect(await storeProbe(gone, 500)!()).toMatch(/does not answer/);
  });

  it('is ready only with at least one tenant and every probe true', async () => {
    const yes: Probe = async () => true;
    const no: Probe = async () => 'the audit log cannot be written';
    expect((await readiness(new Map(), new Map())).ready).toBe(false);
    expect(await readiness(new Map([['a', yes]]), new Map([['postgres', yes]]))).toEqual({ ready: true, tenants: { a: true }, shared: { postgres: true } });
    expect(await readiness(new Map([['a', yes], ['b', no]]), new Map())).toMatchObject({ ready: false, tenants: { b: 'the audit log cannot be written' } });
    expect((await readiness(new Map([['a', yes]]), new Map([['postgres', no]]))).ready).toBe(false);
    const thrown = await readiness(new Map([['a', async () => Promise.reject(new Error('boom'))]]), new Map());
    expect(thrown.tenants.a).toBe('probe failed: boom');
  });
});

describe('a tenant configuration', () => {
  it('keys shared PostgreSQL state by the tenant, and keeps every per-organisation path in its folder', async () => {
    const { configFor } = await import('../../src/tenants/index.js');
    const base = testConfig();
    const pgBase = { ...base, state: { kind: 'postgres', url: 'postgres://app@db/kikv', tenant: 'default' } } as typeof base;
    const cfg = configFor(pgBase, { id: 'zorg-a', did: 'did:web:host.example:tenants:zorg-a', addedAt: '' }) as typeof base & { state: { tenant: string; url: string } };
    expect(cfg.state).toEqual({ kind: 'postgres', url: 'postgres://app@db/kikv', tenant: 'zorg-a' });
    expect(cfg.dataDir).toBe(`${base.dataDir}/tenants/zorg-a`);
    for (const path of [cfg.admin.tokenFile, cfg.identity.keySecretFile, cfg.trust.trustList]) expect(path!.startsWith(`${cfg.dataDir}/`)).toBe(true);
    expect(cfg.identity.domain).toBe('host.example:tenants:zorg-a');
    expect(cfg.server.publicUrl).toBe(`${base.server.publicUrl}/tenants/zorg-a`);
    // files (or no state section in this build): left as the deployment has it
    expect((configFor(base, { id: 'b', did: 'did:web:h:tenants:b', addedAt: '' }) as { state?: unknown }).state).toEqual((base as { state?: unknown }).state);
  });
});
