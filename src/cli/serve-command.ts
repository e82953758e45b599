// `datastation serve`: the requester API and, on its own listener, the admin API.
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { startDatastation } from '../api/index.js';
import { keySecretBesideKey, loadIdentity } from '../trust/index.js';
import { configFor, isDeployment, readRegistry, startDeployment } from '../tenants/index.js';
import { profileRoots } from './engine.js';
import { CliError } from './errors.js';

export function registerServeCommand(program: Command, config: () => Config): void {
  program
    .command('serve')
    .description('serve the datastation: requester API (token endpoint, verifiedsparql, catalogue) and admin API')
    .option('--production', 'production mode (as config mode: production): refuse settings only fit for a demo')
    .action(async (opts: { production?: boolean }) => {
      const cfg = config();
      if (isDeployment(cfg.dataDir)) return serveDeployment(opts.production ? { ...cfg, mode: 'production' } : cfg);
      if (!loadIdentity(cfg)) throw new CliError(`no identity in ${cfg.dataDir}: run "datastation init" first`);
      checkKeySecret(opts.production ? { ...cfg, mode: 'production' } : cfg);
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
    .description("exit 0 when this machine's datastation answers /health on its configured port (http, or https with server.tls, presenting a client certificate when it requires one)")
    .option('--ready', 'check /ready instead (a generation is loaded)')
    .action(async (opts: { ready?: boolean }) => {
      const { url, status, problem } = await healthcheck(config(), opts.ready ?? false);
      if (status !== 200) throw new CliError(`${url}: ${status === undefined ? `no answer${problem ? ` (${problem})` : ''}` : `HTTP ${status}`}`);
      console.log(`${url}: ok`);
    });
}

/** A deployment directory: every tenant behind the one requester listener and the one admin listener. */
async function serveDeployment(cfg: Config): Promise<void> {
  for (const t of readRegistry(cfg.dataDir)) checkKeySecret(configFor(cfg, t));
  const deployment = await startDeployment(cfg, { profileRoots, schedules: true, logger: true });
  const stop = () => void deployment.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const { base, adminBase } = await deployment.listen();
    console.log(`serving ${deployment.tenants.size} tenant(s) on ${base} (admin ${adminBase})${deployment.failed.size ? `; not started: ${[...deployment.failed.keys()].join(', ')}` : ''}`);
  } catch (error) {
    await deployment.close().catch(() => undefined);
    const code = (error as { code?: string }).code;
    throw new CliError(`the deployment cannot listen on ${cfg.server.host}:${cfg.server.port} / ${cfg.admin.host}:${cfg.admin.port}: ${code === 'EADDRINUSE' ? 'the address is already in use' : (error as Error).message}`);
  }
}

/** What the image's HEALTHCHECK runs: one GET of /health (or /ready) on this machine's listener. */
export async function healthcheck(cfg: Config, ready: boolean): Promise<{ url: string; status?: number; problem?: string }> {
  const host = ['0.0.0.0', '::', ''].includes(cfg.server.host) ? '127.0.0.1' : cfg.server.host;
  const url = `${cfg.server.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${cfg.server.port}${ready ? '/ready' : '/health'}`;
  return { url, ...(await probe(url, cfg)) };
}

/** The key secret beside the key: refused in production, a warning nobody can miss otherwise. */
export function checkKeySecret(cfg: Config, warn: (text: string) => void = (t) => process.stderr.write(t)): void {
  const problem = keySecretBesideKey(cfg);
  if (!problem) return;
  const fix = 'set identity.keySecret to env:NAME or file:/path outside the data directory (or $DATASTATION_KEY_SECRET)';
  if (cfg.mode === 'production') throw new CliError(`production mode: ${problem}; ${fix}`, 'key_secret_beside_key');
  const bar = '!'.repeat(78);
  warn(`${bar}\nWARNING: ${problem}.\nFine for a demo or a test; for production ${fix}, and serve with --production.\n${bar}\n`);
}

/**
 * One GET on loopback. With TLS the certificate names the public domain, not 127.0.0.1, so it is
 * not checked: liveness only. A listener that requires client certificates refuses a bare client
 * in the handshake, so the healthcheck presents one: server.tls.healthcheck, else the server's own.
 */
function probe(url: string, cfg: Config): Promise<{ status?: number; problem?: string }> {
  const tls = cfg.server.tls;
  const client = tls?.requireClientCert ? (tls.healthcheck ?? { cert: tls.cert, key: tls.key }) : undefined;
  const options = { timeout: 4000, ...(tls ? { rejectUnauthorized: false } : {}), ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}) };
  return new Promise((done) => {
    const request = (tls ? httpsGet : httpGet)(url, options, (response) => {
      response.resume();
      done({ status: response.statusCode });
    });
    request.on('timeout', () => request.destroy());
    request.on('error', (error: NodeJS.ErrnoException) => {
      // Our own refusal names what to configure; the error text is the TLS library's, not the peer's.
      const refusedCert = client && /certificate|alert|ECONNRESET|socket hang up/i.test(`${error.code ?? ''} ${error.message}`);
      done(refusedCert ? { problem: `the server refused the healthcheck's client certificate ${client.cert}: set server.tls.healthcheck.cert/key to one its ca bundle accepts` } : {});
    });
  });
}
