// Admin routes of the manual-release queue: list, show (with each answer as a table), correct,
// approve, reject. The acting identity comes from the admin shell (`adminActor`); a name the
// caller gives is kept apart as a claim. Refusals of the queue (ReleaseError) are answered here:
// one code, one status, one sentence.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { answerTables, bounded, ReleaseError, type Change, type ReleaseItem, type ReleaseQueue } from '../../exchange/index.js';
import type { AdminDeps } from './admin.js';
import { adminActor } from './admin-auth.js';

const MAX_CLAIM = 200;
/** Rows of each answer table the admin API shows. */
export const MAX_ANSWER_ROWS = 500;
const MAX_CHANGES = 1000;

/** A summary for lists: no preview, no tables. */
function summary(item: ReleaseItem) {
  const { preview: _p, ...rest } = item;
  return { ...rest, corrected: Boolean(item.corrections?.length), smallCells: item.smallCells?.length ?? 0 };
}

/** The item with, per question, the current answer, the original when corrected, and its small cells. */
export function releaseView(queue: ReleaseQueue, item: ReleaseItem) {
  const current = answerTables(queue.answer(item));
  const original = item.originalFile ? answerTables(queue.original(item)) : undefined;
  const small = item.smallCells ?? [];
  return {
    ...item,
    corrected: Boolean(item.corrections?.length),
    ...(item.corrections?.length ? { correction: item.corrections.at(-1) } : {}),
    smallCells: small,
    questions: item.questions.map((q) => {
      const table = current.get(q.id);
      const before = original?.get(q.id);
      return {
        ...q,
        ...(table ? { answer: bounded(table, MAX_ANSWER_ROWS) } : {}),
        ...(before ? { original: bounded(before, MAX_ANSWER_ROWS) } : {}),
        smallCells: small.filter((c) => c.question === q.id).map(({ row, column, value }) => ({ row, column, value })),
      };
    }),
  };
}

/** `changes` as sent, checked for shape only (the queue checks them against the answer). */
function readChanges(raw: unknown): Change[] {
  if (!Array.isArray(raw) || raw.length > MAX_CHANGES) throw new ReleaseError('bad_correction', `changes must be a list of at most ${MAX_CHANGES} {question, row, column, value}`);
  return raw.map((c: unknown, i) => {
    const x = (c ?? {}) as Record<string, unknown>;
    const v = x.value;
    const value = v === null ? null : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    if (typeof x.question !== 'string' || !Number.isInteger(x.row) || typeof x.column !== 'string' || value === undefined) {
      throw new ReleaseError('bad_correction', `change ${i + 1} is not {question, row, column, value}`);
    }
    return { question: x.question, row: x.row as number, column: x.column, value };
  });
}

export function releaseRoutes({ queue, deliverer }: AdminDeps): FastifyPluginAsync {
  return async (app) => {
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof ReleaseError) return reply.code(error.status).send({ error: error.code, message: error.message });
      throw error; // to the shell's handler
    });
    app.get('/admin/releases', async (request) => {
      const state = (request.query as { state?: 'pending' | 'approved' | 'rejected' }).state;
      return queue.list(state).map(summary);
    });
    app.get('/admin/releases/:id', async (request) => releaseView(queue, queue.get((request.params as { id: string }).id)));
    app.post('/admin/releases/:id/correct', async (request) => {
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as { reason?: unknown; changes?: unknown };
      const item = await queue.correct(id, { by: adminActor(request), reason: body.reason, changes: readChanges(body.changes) });
      return releaseView(queue, item);
    });
    const decide = (decision: 'approved' | 'rejected') => async (request: FastifyRequest) => {
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as { by?: unknown; reason?: unknown };
      const claimed = typeof body.by === 'string' ? body.by.slice(0, MAX_CLAIM) : undefined;
      const by = adminActor(request);
      const item = await queue.decide(id, { decision, by, ...(claimed !== undefined ? { claimed } : {}), ...(typeof body.reason === 'string' ? { reason: body.reason } : {}) });
      deliverer.kick(item);
      return item;
    };
    app.post('/admin/releases/:id/approve', decide('approved'));
    app.post('/admin/releases/:id/reject', decide('rejected'));
  };
}
