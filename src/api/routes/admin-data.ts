// Admin routes about the data: what each import loaded and quarantined (per generation and
// source), the quarantined rows and SHACL findings in words, switching the served generation
// (rollback or roll forward, logged before it takes effect, picked up by the running server at
// once), and the coverage of the installed profiles.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { recordActivityAsync } from '../../audit/index.js';
import { activateGeneration, MAX_REASON } from '../../importer/activate.js';
import type { ProfileRegistry } from '../../profiles/index.js';
import { adminActor } from './admin-auth.js';
import { CoverageRunner, lastCoverage } from './admin-coverage.js';
import { findingsPage, GENERATION_ID, importHistory, quarantinePage, type Page } from './admin-reports.js';

export interface DataDeps {
  registry: ProfileRegistry;
  /** The generation the server answers from now. */
  served: () => string | undefined;
  /** Load the generation CURRENT points at (what the poll timer does), now. */
  refresh: () => Promise<void>;
  deadlineMs: number;
  rowCap: number;
}

const MAX_PAGE = 5000;

function pageOf(request: FastifyRequest): { offset: number; limit: number } {
  const q = request.query as { offset?: string; limit?: string };
  const offset = Math.max(0, Math.min(Number.MAX_SAFE_INTEGER, Math.floor(Number(q.offset ?? 0)) || 0));
  const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(Number(q.limit ?? 500)) || 500));
  return { offset, limit };
}

export function dataRoutes(dataDir: string, deps: DataDeps | undefined): FastifyPluginAsync {
  const coverage = deps ? new CoverageRunner({ dataDir, registry: deps.registry, deadlineMs: deps.deadlineMs, rowCap: deps.rowCap }) : undefined;
  const generationOf = (request: FastifyRequest, reply: FastifyReply): string | undefined => {
    const { generation } = request.params as { generation: string };
    if (GENERATION_ID.test(generation)) return generation;
    void reply.code(404).send({ error: 'unknown_generation' });
    return undefined;
  };
  // The reports name files, rows and values of the organisation's exports: reading them is logged.
  const report = (kind: 'quarantine' | 'findings', read: (generation: string, offset: number, limit: number) => Promise<Page<unknown> | undefined>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const generation = generationOf(request, reply);
      if (!generation) return reply;
      const { offset, limit } = pageOf(request);
      const page = await read(generation, offset, limit);
      if (!page) return reply.code(404).send({ error: 'unknown_generation' });
      await recordActivityAsync(dataDir, { actor: adminActor(request), activity: 'admin-report-read', report: kind, generation, offset, count: page.items.length });
      if (page.next !== undefined) reply.header('x-next-offset', String(page.next));
      return page.items;
    };

  return async (app) => {
    app.get('/admin/imports', async () => importHistory(dataDir, deps?.served()));
    app.get('/admin/imports/:generation/quarantine', report('quarantine', (g, o, l) => quarantinePage(dataDir, g, o, l)));
    app.get('/admin/imports/:generation/findings', report('findings', (g, o, l) => findingsPage(dataDir, g, o, l)));

    app.post('/admin/generations/:generation/activate', async (request, reply) => {
      const generation = generationOf(request, reply);
      if (!generation) return reply;
      const body = (request.body ?? {}) as { reason?: unknown };
      const reason = typeof body.reason === 'string' ? body.reason.slice(0, MAX_REASON + 1) : '';
      const { manifest, previous } = await activateGeneration(dataDir, generation, { actor: adminActor(request), reason });
      // Take effect now rather than at the next poll; the poll would do the same.
      await deps?.refresh();
      return { generation: manifest.id, createdAt: manifest.createdAt, ...(previous ? { previous } : {}), served: deps?.served() ?? null };
    });

    app.get('/admin/coverage', async (_request, reply) => lastCoverage(dataDir) ?? reply.code(404).send({ error: 'no_coverage', message: 'no coverage check has run yet' }));
    app.post('/admin/coverage/run', async (request, reply) => {
      const generation = deps?.served();
      if (!coverage || !generation) return reply.code(409).send({ error: 'no_dataset', message: 'no generation is being served' });
      const result = await coverage.run(generation);
      await recordActivityAsync(dataDir, {
        actor: adminActor(request),
        activity: 'profiles-check',
        generation,
        indicators: result.profiles.flatMap((p) => p.indicators.map((i) => ({ profile: p.id, version: p.version, indicator: i.id, status: i.status, rows: i.rows }))),
      });
      return result;
    });
  };
}
