// Admin routes on the activity log: search (thread, requester, period; a page at a time with a
// cursor), verify the chain and the signed checkpoints (as `audit verify`), export as NDJSON. Reading the log is an access too (NEN 7513), so
// each read is logged, durably, before anything of the log leaves. A request never holds the log
// in memory: the search streams from the cursor and stops after a page or a scan budget, verify
// and export stream the file, and one verify or export runs at a time.
import { createReadStream, existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { auditFor, auditPath, checkpointsPath, exportAuditLines, readCheckpoints, recordActivityAsync, verifyLogAndCheckpoints, type AuditEntry, type CheckpointKeys } from '../../audit/index.js';
import { adminActor } from './admin-auth.js';

const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 100;
/** Bytes one search request may scan; it then returns a cursor to go on from. */
export const MAX_SCAN_BYTES = 32 * 1024 * 1024;
const MAX_FILTER = 512;

interface Filter {
  thread?: string;
  requester?: string;
  from?: Date;
  to?: Date;
}

class BadFilter extends Error {}

function filterOf(query: Record<string, string | undefined>): Filter {
  const text = (name: string) => {
    const v = query[name];
    if (v === undefined || v === '') return undefined;
    if (v.length > MAX_FILTER) throw new BadFilter(`${name} is too long`);
    return v;
  };
  const date = (name: string) => {
    const v = text(name);
    if (v === undefined) return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw new BadFilter(`${name} is not a date`);
    return d;
  };
  const f: Filter = {};
  const thread = text('thread'), requester = text('requester'), from = date('from'), to = date('to');
  if (thread) f.thread = thread;
  if (requester) f.requester = requester;
  if (from) f.from = from;
  if (to) f.to = to;
  return f;
}

function noKeys(): CheckpointKeys {
  throw new Error('no keys were given to check them with');
}

function matches(e: AuditEntry, f: Filter): boolean {
  if (f.thread && e.thread_id !== f.thread) return false;
  if (f.requester && e.actor !== f.requester && e.requester !== f.requester && e.from !== f.requester) return false;
  if (f.from || f.to) {
    const t = new Date(e.time);
    if (f.from && t < f.from) return false;
    if (f.to && t > f.to) return false;
  }
  return true;
}

/** One page of matching entries from byte `start`, and where the next page starts (when there is more). */
export async function searchLog(path: string, f: Filter, start: number, limit: number, maxScan = MAX_SCAN_BYTES): Promise<{ entries: AuditEntry[]; next?: string }> {
  if (!existsSync(path)) return { entries: [] };
  const entries: AuditEntry[] = [];
  let offset = start;
  const input = createReadStream(path, { start });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (entries.length === limit || offset - start >= maxScan) return { entries, next: String(offset) };
      offset += Buffer.byteLength(line) + 1;
      if (!line) continue;
      let e: AuditEntry;
      try {
        e = JSON.parse(line) as AuditEntry;
      } catch {
        continue; // a cursor into the middle of a line, or a torn tail: not an entry
      }
      if (matches(e, f)) entries.push(e);
    }
  } finally {
    lines.close();
    input.destroy();
  }
  return { entries };
}

/** `checkpointKeys`: our DID document's keys, to check the signed checkpoints with. */
export function auditRoutes(dataDir: string, checkpointKeys: () => CheckpointKeys = noKeys): FastifyPluginAsync {
  const path = auditPath(dataDir);
  let streaming = 0;
  const logged = (request: FastifyRequest, what: string, f: Filter, extra: Record<string, unknown> = {}) =>
    recordActivityAsync(dataDir, {
      actor: adminActor(request),
      activity: 'audit-log-read',
      read: what,
      ...(f.thread ? { filter_thread: f.thread } : {}),
      ...(f.requester ? { filter_requester: f.requester } : {}),
      ...(f.from ? { filter_from: f.from.toISOString() } : {}),
      ...(f.to ? { filter_to: f.to.toISOString() } : {}),
      ...extra,
    });
  const refuse = (reply: FastifyReply, status: number, error: string, message: string) => reply.code(status).send({ error, message });
  const parse = (request: FastifyRequest, reply: FastifyReply): Filter | undefined => {
    try {
      return filterOf(request.query as Record<string, string | undefined>);
    } catch (error) {
      if (!(error instanceof BadFilter)) throw error;
      void refuse(reply, 400, 'bad_filter', error.message);
      return undefined;
    }
  };

  return async (app) => {
    app.get('/admin/audit', async (request, reply) => {
      const f = parse(request, reply);
      if (!f) return reply;
      const q = request.query as { limit?: string; cursor?: string };
      if (q.cursor !== undefined && !/^\d{1,15}$/.test(q.cursor)) return refuse(reply, 400, 'bad_filter', 'cursor is not one this API gave');
      const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(Number(q.limit ?? DEFAULT_LIMIT)) || DEFAULT_LIMIT));
      const start = q.cursor ? Number(q.cursor) : 0;
      await logged(request, 'search', f, { ...(q.cursor ? { cursor: q.cursor } : {}) });
      const sink = auditFor(dataDir);
      return sink.search ? sink.search((e) => matches(e, f), start, limit) : searchLog(path, f, start, limit);
    });

    app.get('/admin/audit/verify', async (request, reply) => {
      if (streaming >= 1) return refuse(reply, 409, 'audit_busy', 'a verify or export is running; try again when it is done');
      streaming++;
      try {
        await logged(request, 'verify', {});
        // The chain, then the log against the checkpoints in the data folder: a log cut below a
        // signed head, or rewritten with a fresh chain, verifies as a chain but not against them.
        const { chain, checkpoints, ok } = await verifyLogAndCheckpoints(auditFor(dataDir).lines(), readCheckpoints(checkpointsPath(dataDir)), checkpointKeys);
        return { ...chain, ok, ...(checkpoints ? { checkpoints } : {}) };
      } finally {
        streaming--;
      }
    });

    app.get('/admin/audit/export', async (request, reply) => {
      const f = parse(request, reply);
      if (!f) return reply;
      if (streaming >= 1) return refuse(reply, 409, 'audit_busy', 'a verify or export is running; try again when it is done');
      streaming++;
      let done = false;
      // Ends with the response (sent, failed or abandoned), whether or not the stream ever started.
      const release = () => {
        if (done) return;
        done = true;
        streaming--;
      };
      reply.raw.once('close', release);
      try {
        await logged(request, 'export', f);
      } catch (error) {
        release();
        throw error;
      }
      const filter = f;
      const { thread, from, to } = filter;
      const source = exportAuditLines(auditFor(dataDir).lines(), { ...(thread ? { thread } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) });
      async function* ndjson() {
        for await (const e of source) if (matches(e, filter)) yield `${JSON.stringify(e)}\n`;
      }
      const name = `audit-${new Date().toISOString().replace(/[:.]/g, '')}.ndjson`;
      return reply.type('application/x-ndjson').header('content-disposition', `attachment; filename="${name}"`).send(Readable.from(ndjson()));
    });
  };
}
