// The deployment's own audit chain: the refusals its front makes before any tenant is reached
// (unknown_tenant, tenant_mismatch between tenants, no client certificate, rate limited, no such
// route). NEN 7513 asks that every access is logged, but these routes need no credentials, so the
// log is rationed: per client address and minute the first `perAddressPerMinute` refusals get an
// entry each, the rest one summary entry when the minute is over. The map of addresses is bounded
// (`maxAddresses`; beyond, the addresses of that minute share one summary). Entries hold fixed
// codes, the route template, sizes and hashes: never what was sent. The chain is the tenants'
// format and writer (src/audit): <deployment>/audit/, or PostgreSQL under the tenant id
// `_deployment`, which no tenant can have (TENANT_ID allows no underscore).
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { AuditWriteError, recordActivityAsync } from '../audit/index.js';
import type { Config } from '../config/index.js';

/** The state's tenant key of the deployment's own chain. */
export const DEPLOYMENT_TENANT = '_deployment';

/** The deployment's own configuration: with PostgreSQL state, its rows are keyed `_deployment`. */
export function deploymentConfig(base: Config): Config {
  return base.state.kind === 'postgres' ? { ...base, state: { ...base.state, tenant: DEPLOYMENT_TENANT } } : base;
}

export interface Refusal {
  code: string;
  status: number;
  /** The route template (`/tenants/*`, `/api/verifiedsparql`), never the requested URL. */
  route: string;
  listener: 'requester' | 'admin';
  /** The client's address (socket, or the trusted proxy's forwarded one). */
  client: string | undefined;
  /** The body's size, as the client declared it. */
  bytes?: number;
  /** The DIDs the request was addressed to: only their hash is kept. */
  to?: string[];
}

interface Count {
  logged: number;
  more: number;
  codes: Record<string, number>;
}

/** The bucket of the addresses beyond `maxAddresses` in a minute. */
const OTHERS = 'other';
const MINUTE = 60_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class RefusalLog {
  private window: number;
  private counts = new Map<string, Count>();
  private readonly writing = new Set<Promise<unknown>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly dataDir: string,
    private readonly settings: Config['tenants']['refusalLog'],
    private readonly now: () => number = Date.now,
  ) {
    this.window = Math.floor(now() / MINUTE);
    // A quiet minute after a flood still gets its summary.
    this.timer = setInterval(() => this.roll(), MINUTE);
    this.timer.unref();
  }

  /**
   * Logs the refusal, or counts it for its minute's summary. False when it had to be logged and
   * could not be (the caller answers audit_unavailable instead).
   */
  async record(refusal: Refusal): Promise<boolean> {
    this.roll();
    const address = refusal.client && isIP(refusal.client) ? refusal.client : 'unknown';
    let key = address;
    let count = this.counts.get(key);
    if (!count && this.counts.size >= this.settings.maxAddresses) {
      key = OTHERS;
      count = this.counts.get(key);
    }
    if (!count) this.counts.set(key, (count = { logged: 0, more: 0, codes: {} }));
    if (key === OTHERS || count.logged >= this.settings.perAddressPerMinute) {
      count.more++;
      count.codes[refusal.code] = (count.codes[refusal.code] ?? 0) + 1;
      return true;
    }
    count.logged++;
    const { code, status, route, listener, bytes, to } = refusal;
    try {
      await this.track(
        recordActivityAsync(this.dataDir, {
          actor: 'unknown',
          activity: 'request-refused',
          code,
          status,
          listener,
          route,
          client: address,
          ...(bytes !== undefined && Number.isSafeInteger(bytes) ? { bytes } : {}),
          ...(to?.length ? { to_count: to.length, to_sha256: sha256(to.join(',')) } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof AuditWriteError)) throw error;
      return false;
    }
  }

  /** A new minute: the last one's summaries are written, its counts forgotten. */
  private roll(force = false): void {
    const window = Math.floor(this.now() / MINUTE);
    if (window === this.window && !force) return;
    const [counts, start] = [this.counts, this.window];
    this.counts = new Map();
    this.window = window;
    for (const [client, c] of counts) {
      if (c.more === 0) continue;
      const summary = { actor: 'unknown', activity: 'requests-refused-summary', client, minute: new Date(start * MINUTE).toISOString(), refused: c.more, codes: c.codes };
      // Nobody waits for a summary: a failure can only be reported.
      this.track(recordActivityAsync(this.dataDir, summary)).catch((e: Error) => console.error(`deployment audit: a summary of ${c.more} refusals was not logged: ${e.message}`));
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.writing.add(work);
    void work.catch(() => undefined).finally(() => this.writing.delete(work));
    return work;
  }

  /** At shutdown: the summaries of the minute so far, written before the chain is closed. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.roll(true);
    await Promise.allSettled([...this.writing]);
  }
}
