// `datastation serve`: the requester API and, on its own listener, the admin API.
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
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
      const ds = await startDatastation(cfg, { profileRoots: profileRoots(cfg), logger: true, schedules: true });
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

  program
    .command('healthcheck')
    .description("exit 0 when this machine's datastation answers /health on its configured port (http, or https with server.tls)")
    .option('--ready', 'check /ready instead (a generation is loaded)')
    .action(async (opts: { ready?: boolean }) => {
      const cfg = config();
      const host = ['0.0.0.0', '::', ''].includes(cfg.server.host) ? '127.0.0.1' : cfg.server.host;
      const url = `${cfg.server.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${cfg.server.port}${opts.ready ? '/ready' : '/health'}`;
      const status = await probe(url, cfg);
      if (status !== 200) throw new CliError(`${url}: ${status === undefined ? 'no answer' : `HTTP ${status}`}`);
      console.log(`${url}: ok`);
    });
}

/** One GET on loopback. With TLS the certificate names the public domain, not 127.0.0.1, so it is not checked: liveness only. */
function probe(url: string, cfg: Config): Promise<number | undefined> {
  return new Promise((done) => {
    const tls = cfg.server.tls;
    const options = { timeout: 4000, ...(tls ? { rejectUnauthorized: false } : {}) };
    const request = (tls ? httpsGet : httpGet)(url, options, (response) => {
      response.resume();
      done(response.statusCode);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => done(undefined));
  });
}
