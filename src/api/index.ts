export { buildServer, tlsOptions } from './server.js';
export type { ServerDeps } from './server.js';
export { startDatastation, adminToken } from './datastation.js';
export type { Datastation, StartOptions } from './datastation.js';
