// The state worker: a thread of its own that holds the PostgreSQL pool. The main thread calls it
// asynchronously (the server's hot paths) or synchronously (the existing sync interfaces: a CLI
// append, a release queue read), blocking on Atomics.wait until the answer is posted. Because the
// transactions run here, on this thread's event loop, a blocked main thread never holds a
// connection another statement waits for.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import pg from 'pg';
import { buildEntry } from '../audit/entry.js';
import type { AuditEntry, AuditInput } from '../audit/log.js';
import { GENESIS } from '../audit/log.js';

export interface WorkerData {
  url: string;
  schema: string;
  poolSize: number;
  statementTimeoutMs: number;
  flag: SharedArrayBuffer;
  syncPort: MessagePort;
}

export type Request =
  | { op: 'query'; sql: string; params?: unknown[] }
  | { op: 'tx'; statements: { sql: string; params?: unknown[] }[] }
  | { op: 'audit-append'; tenant: string; maxEntryBytes: number; items: { input: AuditInput; after: number[] }[] }
  | { op: 'replay-use'; tenant: string; keys: string[]; untils: number[]; now: number };

export type Reply = { rows?: Record<string, unknown>[]; rowCount?: number; results?: ({ entry: AuditEntry } | { error: string })[]; ok?: boolean; each?: Record<string, unknown>[][] };

const data = workerData as WorkerData;
const flag = new Int32Array(data.flag);
const pool = new pg.Pool({
  connectionString: data.url,
  max: data.poolSize,
  statement_timeout: data.statementTimeoutMs,
  connectionTimeoutMillis: data.statementTimeoutMs,
  options: `-c search_path=${data.schema}`,
  application_name: 'kikv-datastation',
});
// A connection that breaks while idle is dropped by the pool; the next request opens another.
pool.on('error', () => undefined);

async function transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * One group of audit entries, one transaction: the chain head is serialised across processes by
 * an advisory lock taken inside the transaction (released at commit), so two writers never build
 * on the same head; the (tenant, seq) and (tenant, prev) keys refuse a fork even without it.
 */
async function auditAppend(r: Extract<Request, { op: 'audit-append' }>): Promise<Reply> {
  return transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`kikv-audit:${data.schema}:${r.tenant}`]);
    const top = await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_entries WHERE tenant = $1 ORDER BY seq DESC LIMIT 1', [r.tenant]);
    let head = top.rows[0] ? { seq: Number(top.rows[0].seq), hash: top.rows[0].hash } : { seq: 0, hash: GENESIS };
    const results: ({ entry: AuditEntry } | { error: string })[] = [];
    const rows: { entry: AuditEntry; line: string }[] = [];
    for (const item of r.items) {
      // an entry whose predecessor (same request) was not written is not written either
      if (item.after.some((i) => !results[i] || 'error' in results[i])) {
        results.push({ error: 'the audit log could not be written: an entry before this one was not written' });
        continue;
      }
      try {
        const built = buildEntry(head, item.input, r.maxEntryBytes);
        head = { seq: built.entry.seq, hash: built.entry.hash };
        rows.push(built);
        results.push({ entry: built.entry });
      } catch (error) {
        results.push({ error: (error as Error).message });
      }
    }
    if (rows.length) {
      await client.query(
        `INSERT INTO audit_entries (tenant, seq, hash, prev, time, activity, thread_id, release, line)
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[])`,
        [
          r.tenant,
          rows.map((x) => x.entry.seq),
          rows.map((x) => x.entry.hash),
          rows.map((x) => x.entry.prev),
          rows.map((x) => x.entry.time),
          rows.map((x) => x.entry.activity),
          rows.map((x) => x.entry.thread_id ?? null),
          rows.map((x) => (typeof x.entry.release === 'string' ? x.entry.release : null)),
          rows.map((x) => x.line),
        ],
      );
    }
    return { results };
  });
}

/** All of the ids or none: false (nothing recorded) when one is still in use. */
async function replayUse(r: Extract<Request, { op: 'replay-use' }>): Promise<Reply> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const used = await client.query(
      `INSERT INTO replay_used (tenant, key, until) SELECT $1, * FROM unnest($2::text[], $3::bigint[])
       ON CONFLICT (tenant, key) DO UPDATE SET until = EXCLUDED.until WHERE replay_used.until <= $4 RETURNING key`,
      [r.tenant, r.keys, r.untils, r.now],
    );
    if (used.rowCount !== r.keys.length) {
      await client.query('ROLLBACK');
      return { ok: false };
    }
    // Expired ids go a few at a time with each use: the table stays as small as the live window.
    await client.query('DELETE FROM replay_used WHERE ctid IN (SELECT ctid FROM replay_used WHERE tenant = $1 AND until <= $2 LIMIT 100)', [r.tenant, r.now]);
    await client.query('COMMIT');
    return { ok: true };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function handle(r: Request): Promise<Reply> {
  switch (r.op) {
    case 'query': {
      const result = await pool.query(r.sql, r.params ?? []);
      return { rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount ?? 0 };
    }
    case 'tx':
      return transaction(async (client) => {
        const each: Record<string, unknown>[][] = [];
        for (const s of r.statements) each.push((await client.query(s.sql, s.params ?? [])).rows as Record<string, unknown>[]);
        return { each };
      });
    case 'audit-append':
      return auditAppend(r);
    case 'replay-use':
      return replayUse(r);
    default:
      throw new Error('unknown state request');
  }
}

function failure(error: unknown): { message: string; code?: string } {
  const e = error as { message?: string; code?: string };
  return { message: e.message ?? String(error), ...(typeof e.code === 'string' ? { code: e.code } : {}) };
}

parentPort!.on('message', (message: { id: number; sync: boolean; request: Request } | { close: true }) => {
  if ('close' in message) {
    void pool.end().finally(() => process.exit(0));
    return;
  }
  const { id, sync, request } = message;
  void handle(request).then(
    (reply) => answer(id, sync, { reply }),
    (error: unknown) => answer(id, sync, { error: failure(error) }),
  );
});

function answer(id: number, sync: boolean, body: { reply?: Reply; error?: { message: string; code?: string } }): void {
  if (!sync) return parentPort!.postMessage({ id, ...body });
  data.syncPort.postMessage({ id, ...body });
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
