// The native Oxigraph server, started the one way the tests (test/store/servers.ts) and
// bench:native start it: the pinned binary scripts/ci/oxigraph-server.sh installs, RocksDB on
// disk, a free loopback port; plus what a benchmark reads from /proc (peak RSS, CPU time). A
// restart reopens the same database on the same port, so a loaded generation is still there and a
// RemoteStore configured for it keeps working.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PLACES_DEFAULTS, type RemoteStoreConfig } from '../src/store/index.js';

export const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kikv-datastation');
// OXIGRAPH_BIN: another binary of the pinned version for a local run; CI leaves it unset and uses
// the one scripts/ci/oxigraph-server.sh installs.
export const OXIGRAPH_BIN = process.env.OXIGRAPH_BIN ?? join(CACHE, `oxigraph-${process.env.OXIGRAPH_VERSION ?? '0.5.13'}`, 'bin', 'oxigraph');

export const oxigraphMissing = (): string | undefined => (existsSync(OXIGRAPH_BIN) ? undefined : `no Oxigraph server at ${OXIGRAPH_BIN}: run scripts/ci/oxigraph-server.sh`);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Until the SPARQL endpoint answers `ASK {}` (or the process exits, or `ms` pass). Each probe is
 * bounded: on a restart another process may have taken the port and never answer.
 */
export async function waitUntilUp(endpoint: string, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before it was up`);
    try {
      const signal = AbortSignal.timeout(Math.max(1, Math.min(2000, until - Date.now())));
      const r = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/sparql-query', accept: 'application/sparql-results+json' }, body: 'ASK {}', signal });
      await r.body?.cancel();
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${endpoint} not up after ${ms} ms`);
}

/** SIGTERM, SIGKILL after 5 s; resolves once the process is gone (at once if it already is). */
export function stopChild(child: ChildProcess | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve(); // killed by a signal: no exit code
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

export class OxigraphServer {
  private child: ChildProcess | undefined;
  private port: number | undefined;
  config!: RemoteStoreConfig;
  /** Peak RSS (VmHWM) of earlier processes on this database, MB: a restart starts a new count. */
  private earlierPeakMb = 0;

  constructor(
    readonly db: string,
    readonly options: { timeoutMs: number; serverTimeoutS?: number },
  ) {}

  get pid(): number {
    return this.child!.pid!;
  }

  async start(): Promise<void> {
    const port = (this.port ??= await freePort());
    const args = ['serve', '--location', this.db, '--bind', `127.0.0.1:${port}`, ...(this.options.serverTimeoutS ? ['--timeout-s', String(this.options.serverTimeoutS)] : [])];
    const child = (this.child = spawn(OXIGRAPH_BIN, args, { stdio: ['ignore', 'ignore', 'inherit'] }));
    const base = `http://127.0.0.1:${port}`;
    this.config = { kind: 'sparql', engine: 'oxigraph-server', endpoint: `${base}/query`, gsp: `${base}/store`, timeoutMs: this.options.timeoutMs, maxResponseBytes: 512 * 1024 * 1024, ...PLACES_DEFAULTS };
    // the server's own timeout, so an abandoned query keeps its place until then (+ grace)
    if (this.options.serverTimeoutS) this.config.engineTimeoutMs = this.options.serverTimeoutS * 1000;
    try {
      await waitUntilUp(this.config.endpoint, child, 120_000); // reopening a large RocksDB takes a while
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** Peak RSS of the server so far (all its processes on this database), MB. */
  peakRssMb(): number {
    return Math.max(this.earlierPeakMb, this.status('VmHWM'));
  }

  rssMb(): number {
    return this.status('VmRSS');
  }

  private status(field: string): number {
    const line = readFileSync(`/proc/${this.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
  }

  /** CPU seconds (user + system) the server process has used. */
  cpuSeconds(): number {
    const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.earlierPeakMb = this.peakRssMb();
    await stopChild(child);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
