// Admin routes of the manual-release queue: list, show, approve, reject. The acting identity comes
// from the admin shell (`adminActor`); a name the caller gives is kept apart as a claim.
import type { FastifyPluginAsync } from 'fastify';
import type { AdminDeps } from './admin.js';
import { adminActor } from './admin-auth.js';

const MAX_CLAIM = 200;

export function releaseRoutes({ queue, deliverer }: AdminDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/admin/releases', async (request) => {
      const state = (request.query as { state?: 'pending' | 'approved' | 'rejected' }).state;
      return queue.list(state).map(({ preview: _p, ...summary }) => summary);
    });
    app.get('/admin/releases/:id', async (request) => queue.get((request.params as { id: string }).id));
    const decide = (decision: 'approved' | 'rejected') => async (request: Parameters<typeof adminActor>[0]) => {
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as { by?: unknown; reason?: unknown };
      const claimed = typeof body.by === 'string' ? body.by.slice(0, MAX_CLAIM) : undefined;
      const reason = typeof body.reason === 'string' ? body.reason : undefined;
      const by = adminActor(request);
      const item = await queue.decide(id, { decision, by, ...(claimed !== undefined ? { claimed } : {}), ...(reason ? { reason } : {}) });
      deliverer.kick(item);
      return item;
    };
    app.post('/admin/releases/:id/approve', decide('approved'));
    app.post('/admin/releases/:id/reject', decide('rejected'));
  };
}
