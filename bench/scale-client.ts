// The client side of bench/scale-out.ts: `datastation serve` child processes of the built CLI over
// one deployment directory, and a requester that spreads signed questions round-robin over
// tenants and processes, retrying a request whose process is gone (a socket error, never an HTTP
// answer) on the next live one with a fresh message.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Serve {
  proc: ChildProcess;
  url: string;
  alive: boolean;
  exited: Promise<number | null>;
}

/** Start `datastation serve` and wait for its "serving … on <url>" line. */
export async function startServe(cli: string, configFile: string, deployment: string): Promise<Serve> {
  const proc = spawn(process.execPath, [cli, '-c', configFile, '-d', deployment, 'serve'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATASTATION_PORT: '0', DATASTATION_ADMIN_PORT: '0' } });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let err = '';
  proc.stderr.on('data', (c: Buffer) => void (err = (err + c.toString()).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start in 300 s: ${err}`)), 300_000);
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /serving \d+ tenant\(s\) on (http:\/\/\S+?)[\s(]/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`serve exited (${code}) before listening: ${err}`)));
  });
  const serve: Serve = { proc, url, alive: true, exited };
  void exited.then(() => void (serve.alive = false));
  return serve;
}

export async function stopServe(s: Serve): Promise<void> {
  if (s.alive) s.proc.kill('SIGTERM');
  await s.exited;
}

/** Peak resident set of a live process in MB (Linux /proc), else NaN. */
export function peakRssMb(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export type Kind = 'good' | 'mismatch' | 'badtoken';

export interface Planned {
  i: number;
  tenant: string;
  kind: Kind;
}

export interface Attempt {
  thread: string;
  process: number;
  /** HTTP status, or undefined when the socket failed (no answer at all). */
  status?: number;
  body?: { from?: string; code?: string; error?: string; body?: unknown; [k: string]: unknown };
  ms: number;
}

export interface Outcome extends Planned {
  attempts: Attempt[];
}

/**
 * Send every planned request with `connections` at once; request i goes to process i mod P (the
 * next live one), a socket failure is retried on the next live process with a fresh message.
 */
export async function drive(
  planned: Planned[],
  serves: Serve[],
  connections: number,
  send: (p: Planned, url: string, thread: string) => Promise<{ status: number; body: Attempt['body'] }>,
  prefix: string,
  onAcknowledged?: (done: number) => void,
): Promise<{ outcomes: Outcome[]; seconds: number; latencies: number[] }> {
  const outcomes: Outcome[] = planned.map((p) => ({ ...p, attempts: [] }));
  const latencies: number[] = [];
  let next = 0;
  let done = 0;
  const started = performance.now();
  async function one(o: Outcome): Promise<void> {
    let target = o.i % serves.length;
    for (let attempt = 0; attempt < serves.length * 2; attempt++) {
      let tries = 0;
      while (!serves[target]!.alive && tries++ < serves.length) target = (target + 1) % serves.length;
      const thread = `${prefix}-${o.i}-a${attempt}`;
      const t0 = performance.now();
      try {
        const { status, body } = await send(o, serves[target]!.url, thread);
        const ms = performance.now() - t0;
        o.attempts.push({ thread, process: target, status, body, ms });
        latencies.push(ms);
        onAcknowledged?.(++done);
        return;
      } catch {
        o.attempts.push({ thread, process: target, ms: performance.now() - t0 });
        target = (target + 1) % serves.length;
      }
    }
  }
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < outcomes.length) await one(outcomes[next++]!);
    }),
  );
  return { outcomes, seconds: (performance.now() - started) / 1000, latencies };
}

export function p99(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]! : NaN;
}
