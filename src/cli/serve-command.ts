// `datastation serve`: the requester API and, on its own listener, the admin API.
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { startDatastation } from '../api/index.js';
import { profileRoots } from './engine.js';

export function registerServeCommand(program: Command, config: () => Config): void {
  program
    .command('serve')
    .description('serve the datastation: requester API (token endpoint, verifiedsparql, catalogue) and admin API')
    .action(async () => {
      const cfg = config();
      const ds = await startDatastation(cfg, { profileRoots: profileRoots(cfg), logger: true });
      const stop = () => void ds.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await ds.app.listen({ host: cfg.server.host, port: cfg.server.port });
      await ds.admin.listen({ host: cfg.admin.host, port: cfg.admin.port });
    });
}
