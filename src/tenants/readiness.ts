// Readiness of a deployment: every tenant ready (its dataset loaded, its audit log appendable, its
// SPARQL server answering when it uses one) and the shared PostgreSQL reachable when configured.
// Each probe has a deadline; the reasons name our own components, never request input.
import pg from 'pg';
import type { Config } from '../config/index.js';

export type Probe = () => Promise<true | string>;

async function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `env:NAME` or a URL → the connection string (undefined: not configured or the variable unset). */
export function postgresUrl(setting: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!setting) return undefined;
  return setting.startsWith('env:') ? env[setting.slice(4)] || undefined : setting;
}

/** PostgreSQL answers `SELECT 1` within the deadline (a new connection each time: it proves the path, not a pool). */
export function postgresProbe(url: string, timeoutMs: number): Probe {
  return async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs });
    // An error event after connect would otherwise crash the process.
    client.on('error', () => undefined);
    try {
      await within(timeoutMs, client.connect(), 'PostgreSQL');
      await within(timeoutMs, client.query('SELECT 1'), 'PostgreSQL');
      return true;
    } catch (error) {
      return `PostgreSQL is not reachable (${(error as { code?: string }).code ?? (error as Error).message.slice(0, 120)})`;
    } finally {
      void client.end().catch(() => undefined);
    }
  };
}

/** A tenant's SPARQL server answers an ASK within the deadline (embedded: nothing to ask). */
export function storeProbe(config: Config, timeoutMs: number): Probe | undefined {
  const store = config.store;
  if (store.kind !== 'sparql') return undefined;
  return async () => {
    try {
      const url = `${store.endpoint}?query=${encodeURIComponent('ASK {}')}`;
      const response = await fetch(url, { headers: { accept: 'application/sparql-results+json' }, signal: AbortSignal.timeout(timeoutMs) });
      await response.body?.cancel();
      return response.ok ? true : `the SPARQL server answered HTTP ${response.status}`;
    } catch {
      return `the SPARQL server does not answer within ${timeoutMs} ms`;
    }
  };
}

export interface ReadyReport {
  ready: boolean;
  tenants: Record<string, true | string>;
  shared: Record<string, true | string>;
}

export async function readiness(tenants: Map<string, Probe>, shared: Map<string, Probe>): Promise<ReadyReport> {
  const run = async (probes: Map<string, Probe>) =>
    Object.fromEntries(await Promise.all([...probes].map(async ([name, probe]) => [name, await probe().catch((e: Error) => `probe failed: ${e.message.slice(0, 120)}`)] as const)));
  const [t, s] = await Promise.all([run(tenants), run(shared)]);
  // No tenant at all is not ready: nothing could be answered.
  const ready = Object.keys(t).length > 0 && [...Object.values(t), ...Object.values(s)].every((v) => v === true);
  return { ready, tenants: t, shared: s };
}
