// Real SPARQL servers for the remote-store tests, started here on free loopback ports: Apache Jena
// Fuseki (jars from scripts/ci/fuseki.sh) with a TDB2 dataset on disk, and the native Oxigraph
// server (binary from scripts/ci/oxigraph-server.sh) with RocksDB on disk. Outside CI a missing
// server skips its tests with a message; in CI (CI set) it fails them.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PLACES_DEFAULTS, type Engine, type RemoteStoreConfig } from '../../src/store/index.js';
import { CACHE, OXIGRAPH_BIN, OxigraphServer, freePort, stopChild, waitUntilUp } from '../../bench/oxigraph-server.js';
import { tempDir } from '../helpers.js';

export const FUSEKI_LIBS = join(CACHE, 'fuseki-5.6.0', 'libs');
export { OXIGRAPH_BIN };
export const IN_CI = !!process.env.CI && process.env.CI !== '0' && process.env.CI !== 'false';

/** Both engines; ENGINES=fuseki (comma list) narrows a local run. */
export const ENGINES_UNDER_TEST: Engine[] = (process.env.ENGINES?.split(',') as Engine[] | undefined) ?? ['fuseki', 'oxigraph-server'];

export function available(engine: Engine): boolean {
  return engine === 'fuseki' ? existsSync(join(FUSEKI_LIBS, '.complete')) : existsSync(OXIGRAPH_BIN);
}

/** Why an engine's tests do not run here, or undefined when they do (CI never skips). */
export function skipReason(engine: Engine): string | undefined {
  if (available(engine) || IN_CI) return undefined;
  const script = engine === 'fuseki' ? 'scripts/ci/fuseki.sh' : 'scripts/ci/oxigraph-server.sh';
  return `${engine} is not installed here: run ${script} (CI runs it and does not skip)`;
}

export interface RunningServer {
  engine: Engine;
  config: RemoteStoreConfig;
  stop(): Promise<void>;
  /** Stop and start again on the same database and port (a loaded generation stays). */
  restart(): Promise<void>;
}

/** Start one engine on a fresh on-disk database; `serverTimeoutS` only applies to Oxigraph (server-wide). */
export async function startServer(engine: Engine, options: { serverTimeoutS?: number; timeoutMs?: number } = {}): Promise<RunningServer> {
  if (!available(engine)) throw new Error(`${engine} is not installed: run ${engine === 'fuseki' ? 'scripts/ci/fuseki.sh' : 'scripts/ci/oxigraph-server.sh'}`);
  const db = join(tempDir(`ds-${engine}-`), 'db');
  mkdirSync(db, { recursive: true });
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (engine === 'oxigraph-server') {
    const server = new OxigraphServer(db, { timeoutMs, ...(options.serverTimeoutS ? { serverTimeoutS: options.serverTimeoutS } : {}) });
    await server.start();
    return { engine, config: server.config, stop: () => server.stop(), restart: () => server.restart() };
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config: RemoteStoreConfig = { kind: 'sparql', engine, timeoutMs, maxResponseBytes: 512 * 1024 * 1024, ...PLACES_DEFAULTS, endpoint: `${base}/ds/query`, gsp: `${base}/ds/data` };
  let child: ChildProcess;
  const spawnFuseki = async () => {
    child = spawn('java', ['-Xmx2g', '-cp', `${FUSEKI_LIBS}/*`, 'org.apache.jena.fuseki.main.cmds.FusekiMainCmd', `--port=${port}`, '--localhost', '--update', '--tdb2', `--loc=${db}`, '/ds'], { stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      await waitUntilUp(config.endpoint, child, 60_000);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  };
  await spawnFuseki();
  return {
    engine,
    config,
    stop: () => stopChild(child),
    restart: async () => {
      await stopChild(child);
      await spawnFuseki();
    },
  };
}
