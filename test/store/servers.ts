// Real SPARQL servers for the remote-store tests, started here on free loopback ports: Apache Jena
// Fuseki (jars from scripts/ci/fuseki.sh) with a TDB2 dataset on disk, and the native Oxigraph
// server (binary from scripts/ci/oxigraph-server.sh) with RocksDB on disk. Outside CI a missing
// server skips its tests with a message; in CI (CI set) it fails them.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Engine, RemoteStoreConfig } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kikv-datastation');
export const FUSEKI_LIBS = join(CACHE, 'fuseki-5.6.0', 'libs');
// OXIGRAPH_BIN: another binary of the pinned version for a local run; CI leaves it unset and uses
// the one scripts/ci/oxigraph-server.sh installs.
export const OXIGRAPH_BIN = process.env.OXIGRAPH_BIN ?? join(CACHE, `oxigraph-${process.env.OXIGRAPH_VERSION ?? '0.5.13'}`, 'bin', 'oxigraph');
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  engine: Engine;
  config: RemoteStoreConfig;
  /** Server-side timeout the server was started with (Oxigraph's is server-wide). */
  stop(): Promise<void>;
}

async function waitUntilUp(url: string, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was up`);
    try {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sparql-query', accept: 'application/sparql-results+json' }, body: 'ASK {}' });
      await r.body?.cancel();
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${url} not up after ${ms} ms`);
}

/** Start one engine on a fresh on-disk database; `serverTimeoutS` only applies to Oxigraph (server-wide). */
export async function startServer(engine: Engine, options: { serverTimeoutS?: number; timeoutMs?: number } = {}): Promise<RunningServer> {
  if (!available(engine)) throw new Error(`${engine} is not installed: run ${engine === 'fuseki' ? 'scripts/ci/fuseki.sh' : 'scripts/ci/oxigraph-server.sh'}`);
  const port = await freePort();
  const db = join(tempDir(`ds-${engine}-`), 'db');
  mkdirSync(db, { recursive: true });
  const base = `http://127.0.0.1:${port}`;
  let child: ChildProcess;
  let config: RemoteStoreConfig;
  const common = { kind: 'sparql' as const, engine, timeoutMs: options.timeoutMs ?? 60_000, maxResponseBytes: 512 * 1024 * 1024 };
  if (engine === 'fuseki') {
    child = spawn('java', ['-Xmx2g', '-cp', `${FUSEKI_LIBS}/*`, 'org.apache.jena.fuseki.main.cmds.FusekiMainCmd', `--port=${port}`, '--localhost', '--update', '--tdb2', `--loc=${db}`, '/ds'], { stdio: ['ignore', 'ignore', 'inherit'] });
    config = { ...common, endpoint: `${base}/ds/query`, gsp: `${base}/ds/data` };
  } else {
    const args = ['serve', '--location', db, '--bind', `127.0.0.1:${port}`, ...(options.serverTimeoutS ? ['--timeout-s', String(options.serverTimeoutS)] : [])];
    child = spawn(OXIGRAPH_BIN, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    config = { ...common, endpoint: `${base}/query`, gsp: `${base}/store` };
  }
  try {
    await waitUntilUp(config.endpoint, child, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    engine,
    config,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(); // killed by a signal: no exit code
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
