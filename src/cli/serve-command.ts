// `datastation serve`: the requester API and, on its own listener, the admin API.
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { startDatastation } from '../api/index.js';
import { loadIdentity } from '../trust/index.js';
import { profileRoots } from './engine.js';
import { CliError } from './errors.js';

export function registerServeCommand(program: Command, config: () => Config): void {
  program
    .command('serve')
    .description('serve the datastation: requester API (token endpoint, verifiedsparql, catalogue) and admin API')
    .action(async () => {
      const cfg = config();
      if (!loadIdentity(cfg)) throw new CliError(`no identity in ${cfg.dataDir}: run "datastation init" first`);
      const ds = await startDatastation(cfg, { profileRoots: profileRoots(cfg), logger: true });
      const stop = () => void ds.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // A listener that cannot bind ends the server: half a datastation (no admin API, or no requester API) is worse than none.
      for (const [name, server, host, port] of [['requester API', ds.app, cfg.server.host, cfg.server.port], ['admin API', ds.admin, cfg.admin.host, cfg.admin.port]] as const) {
        try {
          await server.listen({ host, port });
        } catch (error) {
          await ds.close().catch(() => undefined);
          const code = (error as { code?: string }).code;
          const why = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'the address is not available on this machine' : (error as Error).message;
          throw new CliError(`the ${name} cannot listen on ${host}:${port}: ${why}`);
        }
      }
    });
}
