// The native Oxigraph server for bench:native, started as test/store/servers.ts starts it (the
// pinned binary scripts/ci/oxigraph-server.sh installs, RocksDB on disk, a free loopback port),
// plus what a benchmark reads from /proc: the process's peak RSS and CPU time. A restart reopens
// the same database, so a loaded generation is still there.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RemoteStoreConfig } from '../src/store/index.js';

const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kikv-datastation');
export const OXIGRAPH_BIN = process.env.OXIGRAPH_BIN ?? join(CACHE, `oxigraph-${process.env.OXIGRAPH_VERSION ?? '0.5.13'}`, 'bin', 'oxigraph');

export const oxigraphMissing = (): string | undefined => (existsSync(OXIGRAPH_BIN) ? undefined : `no Oxigraph server at ${OXIGRAPH_BIN}: run scripts/ci/oxigraph-server.sh`);

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

export class OxigraphServer {
  private child: ChildProcess | undefined;
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
    const port = await freePort();
    const args = ['serve', '--location', this.db, '--bind', `127.0.0.1:${port}`, ...(this.options.serverTimeoutS ? ['--timeout-s', String(this.options.serverTimeoutS)] : [])];
    const child = (this.child = spawn(OXIGRAPH_BIN, args, { stdio: ['ignore', 'ignore', 'inherit'] }));
    const base = `http://127.0.0.1:${port}`;
    this.config = { kind: 'sparql', engine: 'oxigraph-server', endpoint: `${base}/query`, gsp: `${base}/store`, timeoutMs: this.options.timeoutMs, maxResponseBytes: 512 * 1024 * 1024 };
    const until = Date.now() + 120_000; // reopening a large RocksDB takes a while
    while (Date.now() < until) {
      if (child.exitCode !== null) throw new Error(`oxigraph exited with ${child.exitCode} before it was up`);
      try {
        const r = await fetch(this.config.endpoint, { method: 'POST', headers: { 'content-type': 'application/sparql-query', accept: 'application/sparql-results+json' }, body: 'ASK {}' });
        await r.body?.cancel();
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    child.kill('SIGKILL');
    throw new Error(`oxigraph at ${base} not up after 120 s`);
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
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
