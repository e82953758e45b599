// A running deployment: every registered tenant is a whole datastation of its own (trust, keys,
// profiles, query pool, release queue and deliverer, audit chain, admin API with its accounts and
// sessions), built by startDatastation on the tenant's data directory; none of them listens. The
// deployment's two listeners hand each request to its tenant (front.ts). tenants.json is read
// again every tenants.reloadSeconds: added tenants start, removed ones stop. The refusals the
// front makes itself go to the deployment's own audit chain (refusals.ts).
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { adminToken, startDatastation, tlsOptions, type Datastation, type StartOptions } from '../api/index.js';
import type { Config } from '../config/index.js';
import { auditFor } from '../audit/index.js';
import { startState } from '../state/index.js';
import { loadIdentity } from '../trust/index.js';
import { configFor, routingDid } from './config.js';
import { adminHandler, requesterHandler, type Routable } from './front.js';
import { tenantGuard } from './guard.js';
import { postgresProbe, postgresUrl, readiness, storeProbe, type Probe, type ReadyReport } from './readiness.js';
import { readRegistry } from './registry.js';
import { deploymentConfig, RefusalLog, type Refusal } from './refusals.js';

export interface RunningTenant extends Routable {
  config: Config;
  ds: Datastation;
  /** Its DID in tenants.json (its did:web); `did` is what requests are addressed to (in nuts mode its node's DID). */
  registered: string;
}

export interface DeploymentOptions extends Omit<StartOptions, 'profileRoots' | 'env'> {
  profileRoots: (config: Config) => string[];
  /** The clock (ms) of the refusal log's minutes (tests). */
  refusalClock?: () => number;
}

export interface Deployment {
  server: Server;
  adminServer: Server;
  tenants: ReadonlyMap<string, RunningTenant>;
  /** Tenants that could not start, and why (they make the deployment not ready). */
  failed: ReadonlyMap<string, string>;
  /** Read tenants.json again: start the added tenants, stop the removed ones. */
  sync(): Promise<void>;
  ready(): Promise<ReadyReport>;
  listen(): Promise<{ base: string; adminBase: string }>;
  close(): Promise<void>;
}

function address(server: Server, tls: boolean): string {
  const a = server.address() as AddressInfo;
  return `${tls ? 'https' : 'http'}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}

export async function startDeployment(base: Config, options: DeploymentOptions): Promise<Deployment> {
  const tenants = new Map<string, RunningTenant>();
  const failed = new Map<string, string>();
  // The deployment's own metrics; each tenant's registry carries a tenant label (bounded: registered tenants only).
  const own = new Registry();
  collectDefaultMetrics({ register: own });
  const refusals = new Counter({ name: 'datastation_routing_refused_total', help: 'requests no tenant or the wrong tenant was addressed by', labelNames: ['code'], registers: [own] });
  new Gauge({ name: 'datastation_tenants', help: 'tenants served', registers: [own], collect() { this.set(tenants.size); } });

  const start = async (entry: { id: string; did: string }) => {
    const config = configFor(base, { ...entry, addedAt: '' });
    const identity = loadIdentity(config);
    if (!identity) throw new Error(`tenant ${entry.id} has no identity (run "datastation tenants add" again)`);
    // Routing by DID needs each once: two tenants with one Nuts DID would be one organisation.
    const did = routingDid(config, { ...entry, addedAt: '' });
    const clash = [...tenants.values()].find((t) => t.did === did);
    if (clash) throw new Error(`tenant ${entry.id} has the DID ${did} of tenant ${clash.id}`);
    const ds = await startDatastation(config, { ...options, profileRoots: options.profileRoots(config), env: {} });
    ds.app.addHook('preHandler', tenantGuard({ id: entry.id, did, dataDir: config.dataDir, trust: ds.trust, others: () => [...tenants.values()].filter((t) => t.id !== entry.id).map((t) => t.ds.trust) }));
    ds.metrics.registry.setDefaultLabels({ tenant: entry.id });
    await Promise.all([ds.app.ready(), ds.admin.ready()]);
    tenants.set(entry.id, { id: entry.id, did, registered: entry.did, config, ds, app: ds.app, admin: ds.admin, document: identity.document });
  };

  let syncing: Promise<void> = Promise.resolve();
  // Anyone may ask /ready: one round of probes at a time, and its report reused for a second (a sync starts afresh).
  let lastReady: { at: number; report: Promise<ReadyReport> } | undefined;
  const syncOnce = async () => {
    const wanted = readRegistry(base.dataDir);
    for (const [id, t] of tenants) {
      if (wanted.some((w) => w.id === id && w.did === t.registered)) continue;
      tenants.delete(id); // no new request reaches it; then it finishes and stops
      await t.ds.close().catch((e: Error) => console.error(`tenant ${id}: stopping failed: ${e.message}`));
    }
    for (const id of failed.keys()) if (!wanted.some((w) => w.id === id)) failed.delete(id);
    for (const entry of wanted) {
      if (tenants.has(entry.id)) continue;
      try {
        await start(entry);
        failed.delete(entry.id);
      } catch (error) {
        // One organisation that cannot start does not take the others down; /ready names it.
        failed.set(entry.id, (error as Error).message.slice(0, 300));
        console.error(`tenant ${entry.id} not started: ${(error as Error).message}`);
      }
    }
  };
  const sync = () =>
    (syncing = syncing
      .catch(() => undefined)
      .then(syncOnce)
      .finally(() => (lastReady = undefined)));
  // The deployment's own chain: <deployment>/audit/, or PostgreSQL under `_deployment` (opened
  // first: with state.migrateUrl it migrates, as each tenant would).
  const ownState = await startState(deploymentConfig(base));
  const refusalLog = new RefusalLog(base.dataDir, base.tenants.refusalLog, options.refusalClock);
  await sync();

  const shared = new Map<string, Probe>();
  // The deployment's own chain must take the front's refusals, or they are answered 503.
  shared.set('audit', async () => (await auditFor(base.dataDir).problem()) ?? true);
  const pg = postgresUrl(base.tenants.readiness.postgres);
  if (base.tenants.readiness.postgres) shared.set('postgres', pg ? postgresProbe(pg, base.tenants.readiness.timeoutMs) : async () => `${base.tenants.readiness.postgres} is not set`);
  const ready = () => {
    const now = Date.now();
    if (!lastReady || now - lastReady.at > 1000) lastReady = { at: now, report: probeAll() };
    return lastReady.report;
  };
  const probeAll = async () => {
    const probes = new Map<string, Probe>();
    for (const [id, t] of tenants) {
      const store = storeProbe(t.config, base.tenants.readiness.timeoutMs);
      probes.set(id, async () => {
        const own = await t.app.inject({ method: 'GET', url: '/ready' });
        if (own.statusCode !== 200) return (JSON.parse(own.body) as { reason?: string }).reason ?? 'not ready';
        return store ? store() : true;
      });
    }
    for (const [id, why] of failed) probes.set(id, async () => `not started: ${why}`);
    return readiness(probes, shared);
  };
  const metrics = async () => {
    const parts = [await own.getMetricsAsJSON()];
    // Only the datastation's own series per tenant: the process figures are the deployment's, once.
    for (const t of tenants.values()) parts.push((await t.ds.metrics.registry.getMetricsAsJSON()).filter((m) => m.name.startsWith('datastation_')));
    const merged = AggregatorRegistry.aggregate(parts);
    return { contentType: merged.contentType, text: await merged.metrics() };
  };

  const refused = (refusal: Refusal) => {
    refusals.inc({ code: refusal.code });
    return refusalLog.record(refusal);
  };
  const handler = await requesterHandler({ config: base, tenants: () => tenants, ready, refused });
  const serverOptions = { maxHeaderSize: base.server.maxHeaderBytes, requestTimeout: base.server.requestTimeoutMs };
  const tls = (tlsOptions(base) as { https?: object }).https;
  const server = tls ? createHttps({ ...serverOptions, ...tls }, handler) : createHttp(serverOptions, handler);
  const adminServer = createHttp({ maxHeaderSize: 16 * 1024 }, adminHandler({ tenants: () => tenants, token: adminToken(base), metrics, ready, refused }));

  const reload = base.tenants.reloadSeconds;
  const timer = reload > 0 && (options.pollSeconds ?? 2) > 0 ? setInterval(() => void sync().catch((e: Error) => console.error(`tenant registry: ${e.message}`)), reload * 1000) : undefined;
  timer?.unref();

  const listen = (s: Server, host: string, port: number) =>
    new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => {
        s.off('error', reject);
        resolve();
      });
    });
  return {
    server,
    adminServer,
    tenants,
    failed,
    sync,
    ready,
    async listen() {
      await listen(server, base.server.host, base.server.port);
      await listen(adminServer, base.admin.host, base.admin.port);
      return { base: address(server, Boolean(tls)), adminBase: address(adminServer, false) };
    },
    async close() {
      if (timer) clearInterval(timer);
      await syncing.catch(() => undefined);
      const closing = (s: Server) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()));
      server.closeAllConnections?.();
      adminServer.closeAllConnections?.();
      await Promise.all([closing(server), closing(adminServer)]);
      await Promise.all([...tenants.values()].map((t) => t.ds.close()));
      tenants.clear();
      await refusalLog.close();
      await ownState?.close();
    },
  };
}
