// The fastify server requesters talk to. Routes live in ./routes, one file per concern; this file
// wires them to the capabilities (trust now; exchange, catalogue and admin as they arrive).
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import type { Config } from '../config/index.js';
import type { OwnIdentity, Trust } from '../trust/index.js';
import { wellKnownRoutes } from './routes/well-known.js';
import { oauthRoutes } from './routes/oauth.js';
import { healthRoutes } from './routes/health.js';

export interface ServerDeps {
  config: Config;
  identity: OwnIdentity;
  trust: Trust;
  /** Whether a dataset is loaded and queries can be answered (for /ready). */
  ready?: () => boolean;
  logger?: boolean;
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.config.server.bodyLimitBytes,
    // Requests carry no secrets in URLs, but a proxy may: keep ids short, never log bodies.
    requestIdHeader: false,
  });
  await app.register(formbody);
  await app.register(wellKnownRoutes(deps));
  await app.register(oauthRoutes(deps));
  await app.register(healthRoutes(deps));
  return app;
}
