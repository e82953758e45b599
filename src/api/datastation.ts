// The running datastation: trust, profiles, the query pool on the current generation, the
// release queue and its deliverer, the requester server and the separate admin server.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { auditFor } from '../audit/index.js';
import { ConfigError, type Config } from '../config/index.js';
import { ConnectionScheduler } from '../connections/index.js';
import { Deliverer, Exchange, ReleaseQueue } from '../exchange/index.js';
import { ServerCheckpoints } from './checkpoints.js';
import { ProfileRegistry } from '../profiles/index.js';
import { RemoteRunner, createRunner, type QueryRunner } from '../query/index.js';
import { currentGenerationId, latestGoodGeneration, type Manifest } from '../store/index.js';
import { checkpointKeys, createTrust, loadIdentity, type Trust } from '../trust/index.js';
import { startState } from '../state/index.js';
import { buildAdminServer, buildServer } from './server.js';
import { createMetrics, type Metrics } from './metrics.js';

export interface Datastation {
  app: FastifyInstance;
  admin: FastifyInstance;
  trust: Trust;
  queue: ReleaseQueue;
  deliverer: Deliverer;
  pool: QueryRunner;
  exchange: Exchange;
  /** The connections' schedules (running only with `schedules`). */
  scheduler: ConnectionScheduler;
  /** Its Prometheus metrics (a deployment labels and gathers every tenant's). */
  metrics: Metrics;
  /** Load the newest generation if CURRENT moved (an import finished). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  profileRoots: string[];
  logger?: boolean;
  /** Seconds between checks for a new generation and for decided releases (0: no timers). */
  pollSeconds?: number;
  now?: () => number;
  /** Run the connections' schedules (`datastation serve`). */
  schedules?: boolean;
  /** Where the admin token may come from ($DATASTATION_ADMIN_TOKEN); a deployment's tenants pass {} so each has its own file. */
  env?: NodeJS.ProcessEnv;
}

/** The admin token: $DATASTATION_ADMIN_TOKEN, else the token file (created on first use, 0600). */
export function adminToken(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  const file = config.admin.tokenFile!;
  if (!env.DATASTATION_ADMIN_TOKEN && !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  const token = env.DATASTATION_ADMIN_TOKEN || readFileSync(file, 'utf8').trim();
  // A short token can be guessed over the network; the generated one has 43 characters.
  if (token.length < MIN_ADMIN_TOKEN) throw new ConfigError(`the admin token must be at least ${MIN_ADMIN_TOKEN} characters (it has ${token.length})`);
  return token;
}

export const MIN_ADMIN_TOKEN = 32;

export async function startDatastation(config: Config, options: StartOptions): Promise<Datastation> {
  const identity = loadIdentity(config);
  if (!identity) throw new Error('no identity yet: run `datastation init` first');
  // PostgreSQL state (config.state): migrated when the owner URL is set, then shared by trust, queue, sessions, audit.
  const shared = await startState(config);
  const trust = createTrust(config, options.now);
  const registry = ProfileRegistry.load(options.profileRoots);
  // embedded worker pool, or a SPARQL server when config.store says so
  const pool = createRunner(config);
  let manifest: Manifest | undefined;
  const load = async () => {
    const current = currentGenerationId(config.dataDir);
    if (!current || current === manifest?.id) return;
    pool.prepare?.(current); // its store image loads while the generation's files are verified
    const next = await latestGoodGeneration(config.dataDir, (id, e) => console.error(`skipping generation ${id}: ${e.message}`));
    if (next.id === manifest?.id) return;
    await pool.load(next.id);
    manifest = next;
  };
  // One at a time (the poll timer and the admin API's activate both call it): each sees the last one's result.
  let loading: Promise<void> = Promise.resolve();
  const refresh = () => (loading = loading.catch(() => undefined).then(load));
  await refresh();
  const audit = auditFor(config.dataDir, { maxEntryBytes: config.exchange.auditMaxEntryBytes });
  const queue = shared ? shared.queue() : new ReleaseQueue(config.dataDir);
  const deliverer = new Deliverer(config, queue, trust.did, trust);
  const exchange = new Exchange({ config, trust, registry, pool, queue, deliverer, generation: () => manifest?.id });
  const metrics = createMetrics(() => queue.open('pending').length, pool instanceof RemoteRunner ? () => pool.store.status : undefined);
  const app = await buildServer({
    config,
    identity,
    trust,
    exchange,
    metrics,
    // not ready without a dataset, or while nothing could be logged (so nothing could be answered)
    // and not while every place on the SPARQL store is held by a query past its deadline
    ready: async () => (manifest === undefined ? false : (pool.problem?.() ?? (await audit.problem()) ?? true)),
    catalog: () => ({ config, did: trust.did, generation: manifest, profiles: registry.list() }),
    logger: options.logger ?? false,
  });
  const scheduler = new ConnectionScheduler(config);
  const admin = await buildAdminServer(
    {
      dataDir: config.dataDir, adminToken: adminToken(config, options.env), queue, deliverer, metrics, session: config.admin.session,
      ...(options.now ? { now: () => options.now!() * 1000 } : {}),
      ...(shared ? { sessionStores: shared.sessionStores, accounts: shared.accounts() } : {}),
      data: { registry, served: () => manifest?.id, refresh, deadlineMs: config.query.deadlineMs, rowCap: config.query.rowCap },
      connections: { config, scheduler, refresh },
      checkpointKeys: () => checkpointKeys(config),
    },
    options.logger ?? false,
  );
  if (options.schedules) scheduler.start();
  const poll = options.pollSeconds ?? 2;
  let timer: NodeJS.Timeout | undefined;
  const checkpoints = poll > 0 && config.audit.checkpointEvery > 0 ? new ServerCheckpoints(config, audit) : undefined;
  if (poll > 0) {
    deliverer.start(poll * 1000);
    timer = setInterval(() => {
      void refresh().catch((e: Error) => console.error(`generation refresh failed: ${e.message}`));
      void checkpoints?.tick();
    }, poll * 1000);
    timer.unref();
  }
  return {
    app,
    admin,
    trust,
    queue,
    deliverer,
    pool,
    exchange,
    scheduler,
    metrics,
    refresh,
    async close() {
      if (timer) clearInterval(timer);
      scheduler.stop();
      deliverer.stop();
      await Promise.all([app.close(), admin.close()]);
      await checkpoints?.tick(true); // the last entries, signed before the process goes
      trust.replay.close();
      await pool.close();
      await shared?.close();
    },
  };
}
