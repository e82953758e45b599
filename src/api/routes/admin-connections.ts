// Admin routes of connections (named sources imported on a schedule or on demand): list, add,
// edit, remove, test, run now, run history; and of manual values (figures entered by hand). Who acts comes from the admin shell (`adminActor`);
// roles are checked there. Secrets given here are sealed before they are stored and never shown.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AuditWriteError } from '../../audit/index.js';
import type { Config } from '../../config/index.js';
import {
  CONNECTION_STATUS, ConnectionError, addConnection, editConnection, getConnection, listConnections, listRuns, publicView, removeConnection,
  runConnection, testConnection, type ConnectionScheduler,
} from '../../connections/index.js';
import { ImportRejectedError } from '../../importer/index.js';
import { ValueError, VALUE_KINDS, listValuesLogged, removeValue, setValue } from '../../values/index.js';
import { adminActor } from './admin-auth.js';

export interface ConnectionDeps {
  config: Config;
  /** The running schedules, reloaded after every change made here. */
  scheduler?: ConnectionScheduler;
  /** Serve the newest generation now (as activate does), not at the next poll. */
  refresh?: () => Promise<void>;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function connectionRoutes({ config, scheduler, refresh }: ConnectionDeps): FastifyPluginAsync {
  const dataDir = config.dataDir;
  return async (app) => {
    app.setErrorHandler((error, _request, reply: FastifyReply) => {
      if (error instanceof ConnectionError) return reply.code(CONNECTION_STATUS[error.code]).send({ error: error.code, message: error.message });
      if (error instanceof ValueError) return reply.code(error.code === 'unknown_value' ? 404 : error.code === 'already_removed' ? 409 : 400).send({ error: error.code, message: error.message });
      if (error instanceof ImportRejectedError) return reply.code(409).send({ error: error.code, message: error.message.split('\n')[0] });
      if (error instanceof AuditWriteError) return reply.code(503).send({ error: error.code, message: 'the change cannot be logged, so it is not made' });
      throw error; // the shell's handler
    });
    // Cheap check first: a name that cannot exist is refused before any file is read.
    app.addHook('preHandler', async (request) => {
      const name = (request.params as { name?: string }).name;
      if (name !== undefined && !NAME.test(name)) throw new ConnectionError('unknown_connection', 'no connection by that name');
    });
    const changed = () => scheduler?.reload();
    // A failed refresh is the poll's to retry: the run or the value itself has been made and logged.
    // A run (slow anyway) answers once its generation is served; a value change does not wait for it.
    const reload = () => refresh?.().catch((e: Error) => console.error(`generation refresh failed: ${e.message}`));
    const serveNewest = async <T>(result: T): Promise<T> => {
      await reload();
      return result;
    };
    const serveSoon = <T>(result: T): T => {
      void reload();
      return result;
    };
    const nextRuns = () => new Map((scheduler?.next() ?? []).map((n) => [n.name, n.nextRun]));

    app.get('/admin/connections', async () => {
      const next = nextRuns();
      return listConnections(dataDir).map((c) => {
        const last = listRuns(dataDir, c.name, 1)[0];
        const nextRun = next.get(c.name);
        return { ...publicView(c), ...(last ? { lastRun: last } : {}), ...(nextRun ? { nextRun } : {}) };
      });
    });
    app.post('/admin/connections', async (request, reply) => {
      const created = await addConnection(config, request.body ?? {}, adminActor(request));
      changed();
      return reply.code(201).send(publicView(created));
    });
    app.get('/admin/connections/:name', async (request) => publicView(getConnection(dataDir, (request.params as { name: string }).name)));
    app.put('/admin/connections/:name', async (request) => {
      const edited = await editConnection(config, (request.params as { name: string }).name, request.body ?? {}, adminActor(request));
      changed();
      return publicView(edited);
    });
    app.delete('/admin/connections/:name', async (request, reply) => {
      removeConnection(config, (request.params as { name: string }).name, adminActor(request));
      changed();
      return reply.code(204).send();
    });
    app.post('/admin/connections/:name/test', async (request) => testConnection(config, (request.params as { name: string }).name, adminActor(request)));
    app.post('/admin/connections/:name/run', async (request) => {
      const body = (request.body ?? {}) as { allowShrink?: unknown };
      const result = await runConnection(config, (request.params as { name: string }).name, { actor: adminActor(request), trigger: 'manual', allowShrink: body.allowShrink === true });
      return result.generation ? serveNewest(result) : result;
    });
    app.get('/admin/connections/:name/runs', async (request) => {
      const { name } = request.params as { name: string };
      getConnection(dataDir, name);
      const limit = Number((request.query as { limit?: string }).limit ?? 50);
      return listRuns(dataDir, name, Number.isInteger(limit) && limit > 0 ? Math.min(limit, 200) : 50);
    });

    // Manual values: who is the admin actor; each change makes a new generation.
    app.get('/admin/values/kinds', async () => VALUE_KINDS);
    app.get('/admin/values', async (request) => listValuesLogged(config, adminActor(request), { all: (request.query as { all?: string }).all === 'true' }));
    app.post('/admin/values', async (request, reply) => reply.code(201).send(serveSoon(await setValue(config, request.body ?? {}, adminActor(request)))));
    app.delete('/admin/values/:id', async (request) => {
      const { id } = request.params as { id: string };
      if (!/^v-[0-9a-f]{12}$/.test(id)) throw new ValueError('unknown_value', 'no manual value by that id');
      const reason = ((request.body ?? {}) as { reason?: unknown }).reason;
      return serveSoon(await removeValue(config, id, typeof reason === 'string' ? reason : '', adminActor(request)));
    });
  };
}
