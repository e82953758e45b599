// The activity log in PostgreSQL: the same entries, hash chain and lines as the file (so
// `audit verify` and export work unchanged on them), one chain per tenant. An entry is
// acknowledged only once its transaction committed. Group commit as in the file log: entries
// arriving while a group is being committed go together in the next transaction.
import { AuditWriteError, guardAuditWrite } from '../audit/errors.js';
import { GENESIS, type AuditEntry, type AuditInput } from '../audit/log.js';
import type { AuditSink } from '../audit/sink.js';
import type { StateClient } from './client.js';

interface Waiting {
  input: AuditInput;
  after: readonly Waiting[];
  state: 'queued' | 'sent' | 'durable' | 'failed';
  resolve: (entry: AuditEntry) => void;
  reject: (error: Error) => void;
}

const PAGE = 1000;

export class PgAuditLog implements AuditSink {
  private readonly tickets = new WeakMap<Promise<AuditEntry>, Waiting>();
  private waiting: Waiting[] = [];
  private flushing = false;
  private scheduled = false;
  private lastFailure: string | undefined;

  constructor(
    private readonly client: StateClient,
    readonly tenant: string,
    private readonly maxEntryBytes: number,
  ) {}

  append(input: AuditInput): AuditEntry {
    const [result] = this.guard(() => this.client.callSync({ op: 'audit-append', tenant: this.tenant, maxEntryBytes: this.maxEntryBytes, items: [{ input, after: [] }] }).results!);
    if (!result || 'error' in result) throw new AuditWriteError(result?.error ?? 'the audit log could not be written');
    return result.entry;
  }

  appendAsync(input: AuditInput, after: readonly Promise<AuditEntry>[] = []): Promise<AuditEntry> {
    let w!: Waiting;
    const appended = new Promise<AuditEntry>((resolve, reject) => {
      w = {
        input,
        after: after.map((p) => this.tickets.get(p)).filter((t) => t !== undefined),
        state: 'queued',
        resolve: (e) => ((w.state = 'durable'), resolve(e)),
        reject: (e) => ((w.state = 'failed'), reject(e)),
      };
    });
    this.tickets.set(appended, w);
    this.waiting.push(w);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
    return appended;
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.waiting.length === 0) return;
    this.flushing = true;
    const group = this.waiting.splice(0);
    const sent: Waiting[] = [];
    const items: { input: AuditInput; after: number[] }[] = [];
    for (const w of group) {
      // Earlier groups are settled by now; an entry it depends on failed, or is in this group.
      if (w.after.some((a) => a.state === 'failed' || (a.state === 'queued' && !group.includes(a)))) {
        w.reject(new AuditWriteError('the audit log could not be written: an entry before this one was not written'));
        continue;
      }
      w.state = 'sent';
      items.push({ input: w.input, after: w.after.filter((a) => a.state === 'sent').map((a) => sent.indexOf(a)).filter((i) => i >= 0) });
      sent.push(w);
    }
    try {
      if (items.length) {
        const reply = await this.client.call({ op: 'audit-append', tenant: this.tenant, maxEntryBytes: this.maxEntryBytes, items });
        this.lastFailure = undefined;
        reply.results!.forEach((r, i) => ('error' in r ? sent[i]!.reject(new AuditWriteError(r.error)) : sent[i]!.resolve(r.entry)));
      }
    } catch (error) {
      const failure = new AuditWriteError(`the audit log could not be written: ${(error as Error).message}`);
      this.lastFailure = failure.message;
      for (const w of sent) w.reject(failure);
    } finally {
      this.flushing = false;
    }
    return this.flush();
  }

  private guard<T>(fn: () => T): T {
    return guardAuditWrite(fn, (failure) => (this.lastFailure = failure));
  }

  /** /ready: the database answers and the app role may read and add entries. */
  async problem(): Promise<string | undefined> {
    try {
      const [row] = await this.client.rowsAsync<{ ok: boolean }>("SELECT has_table_privilege('audit_entries', 'INSERT') AND has_table_privilege('audit_entries', 'SELECT') AS ok");
      if (!row?.ok) return 'the audit log in PostgreSQL cannot be appended to by this role';
      this.lastFailure = undefined;
      return undefined;
    } catch {
      // /ready is public: the reason names no host, port or driver message
      return 'the audit log in PostgreSQL is unreachable';
    }
  }

  get failing(): string | undefined {
    return this.lastFailure;
  }

  durableHead(): { seq: number; hash: string } {
    const [row] = this.guard(() => this.client.rows<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_entries WHERE tenant = $1 ORDER BY seq DESC LIMIT 1', [this.tenant]));
    return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS };
  }

  async *lines(): AsyncGenerator<[number, string]> {
    let after = 0;
    let n = 0;
    for (;;) {
      const page = await this.client.rowsAsync<{ seq: string; line: string }>('SELECT seq, line FROM audit_entries WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3', [this.tenant, after, PAGE]);
      for (const row of page) yield [++n, row.line];
      if (page.length < PAGE) return;
      after = Number(page.at(-1)!.seq);
    }
  }

  /** The admin search: the cursor is the last seq looked at; at most `maxScan` entries a request. */
  async search(match: (entry: AuditEntry) => boolean, start: number, limit: number, maxScan = 20 * PAGE): Promise<{ entries: AuditEntry[]; next?: string }> {
    const entries: AuditEntry[] = [];
    let after = Number.isSafeInteger(start) && start > 0 ? start : 0;
    let scanned = 0;
    for (;;) {
      const page = await this.client.rowsAsync<{ seq: string; line: string }>('SELECT seq, line FROM audit_entries WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3', [this.tenant, after, PAGE]);
      for (const row of page) {
        if (entries.length === limit || scanned >= maxScan) return { entries, next: String(after) };
        scanned++;
        after = Number(row.seq);
        const entry = JSON.parse(row.line) as AuditEntry;
        if (match(entry)) entries.push(entry);
      }
      if (page.length < PAGE) return { entries };
    }
  }

  find(match: (entry: AuditEntry) => boolean, hint: { releases?: readonly string[] } = {}): AuditEntry[] {
    const found: AuditEntry[] = [];
    if (hint.releases) {
      for (const row of this.client.rows<{ line: string }>('SELECT line FROM audit_entries WHERE tenant = $1 AND release = ANY($2) ORDER BY seq', [this.tenant, hint.releases])) {
        const entry = JSON.parse(row.line) as AuditEntry;
        if (match(entry)) found.push(entry);
      }
      return found;
    }
    let after = 0;
    for (;;) {
      const page = this.client.rows<{ seq: string; line: string }>('SELECT seq, line FROM audit_entries WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3', [this.tenant, after, PAGE]);
      for (const row of page) {
        const entry = JSON.parse(row.line) as AuditEntry;
        if (match(entry)) found.push(entry);
      }
      if (page.length < PAGE) return found;
      after = Number(page.at(-1)!.seq);
    }
  }
}
