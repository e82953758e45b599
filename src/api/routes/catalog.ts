// GET /datacatalog: Turtle or JSON-LD by content negotiation (Turtle when nothing is asked).
import type { FastifyPluginAsync } from 'fastify';
import { catalogJsonLd, catalogTurtle, type CatalogInput } from '../catalog.js';

export function catalogRoutes(input: () => CatalogInput): FastifyPluginAsync {
  return async (app) => {
    app.get('/datacatalog', async (request, reply) => {
      const accept = request.headers.accept ?? '';
      if (/application\/(ld\+)?json/.test(accept)) return reply.type('application/ld+json').send(JSON.stringify(catalogJsonLd(input())));
      return reply.type('text/turtle').send(await catalogTurtle(input()));
    });
  };
}
