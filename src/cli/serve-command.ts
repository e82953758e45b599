// `datastation serve`: the HTTP server requesters talk to.
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { buildServer } from '../api/index.js';
import { createTrust, loadIdentity } from '../trust/index.js';

export function registerServeCommand(program: Command, config: () => Config): void {
  program
    .command('serve')
    .description('serve the datastation over HTTP (token endpoint, DID document, health)')
    .action(async () => {
      const cfg = config();
      const identity = loadIdentity(cfg);
      if (!identity) throw new Error('no identity yet: run `datastation init` first');
      const app = await buildServer({ config: cfg, identity, trust: createTrust(cfg), logger: true });
      const stop = () => void app.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await app.listen({ host: cfg.server.host, port: cfg.server.port });
    });
}
