// `datastation healthcheck` (the image's HEALTHCHECK) against a listener that requires client
// certificates: it presents one (server.tls.healthcheck, else the server's own certificate), with
// real certificates generated here (openssl). A bare TLS client is refused in the handshake.
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import { buildServer } from '../../src/api/index.js';
import { healthcheck } from '../../src/cli/serve-command.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { loadIdentity } from '../../src/trust/index.js';
import { tempDir } from '../helpers.js';
import { makeWorld } from '../trust/world.js';

const dir = tempDir('ds-tls-hc-');
const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const CLI = join(packageRoot(), 'src', 'cli', 'main.ts');

function issue(name: string, ca: string, usage: string): void {
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=${usage}\n`);
  ssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`);
}
const caCert = (name: string) => ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
const file = (name: string) => join(dir, name);

interface Served {
  app: FastifyInstance;
  config: Config;
}
const servers: Served[] = [];

/** A requester listener with mutual TLS, its server certificate `server`. */
async function serve(server: string, healthcheckCert?: string): Promise<Served> {
  const tls = {
    key: file(`${server}.key`), cert: file(`${server}.crt`), ca: file('ca.crt'), requireClientCert: true,
    ...(healthcheckCert ? { healthcheck: { cert: file(`${healthcheckCert}.crt`), key: file(`${healthcheckCert}.key`) } } : {}),
  };
  const w = await makeWorld({ 'server.tls': tls });
  const app = await buildServer({ config: w.config, identity: loadIdentity(w.config)!, trust: w.trust, ready: () => true });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const config = { ...w.config, server: { ...w.config.server, port: (app.server.address() as { port: number }).port } };
  const served = { app, config };
  servers.push(served);
  return served;
}

beforeAll(() => {
  caCert('ca');
  caCert('other-ca');
  issue('server-both', 'ca', 'serverAuth,clientAuth'); // as PKIoverheid server certificates usually are
  issue('server-only', 'ca', 'serverAuth');
  issue('probe', 'ca', 'clientAuth');
  issue('stranger', 'other-ca', 'clientAuth');
}, 30_000);
afterAll(async () => {
  for (const s of servers) await s.app.close();
});

describe('healthcheck with client certificates required', () => {
  it("presents the server's own certificate by default, and /ready too", async () => {
    const { config } = await serve('server-both');
    expect(await healthcheck(config, false)).toMatchObject({ status: 200 });
    expect(await healthcheck(config, true)).toMatchObject({ status: 200 });
    // What the healthcheck did before: a TLS client without a certificate gets no answer.
    const bare = { ...config, server: { ...config.server, tls: { ...config.server.tls!, requireClientCert: false } } };
    expect(await healthcheck(bare, false)).not.toMatchObject({ status: 200 });
  });

  it('a server certificate not valid for client authentication: refused with what to set; server.tls.healthcheck fixes it', async () => {
    const { config } = await serve('server-only');
    const refused = await healthcheck(config, false);
    expect(refused.status).toBeUndefined();
    expect(refused.problem).toMatch(/set server\.tls\.healthcheck\.cert\/key/);
    const withProbe = { ...config, server: { ...config.server, tls: { ...config.server.tls!, healthcheck: { cert: file('probe.crt'), key: file('probe.key') } } } };
    expect(await healthcheck(withProbe, false)).toMatchObject({ status: 200 });
  });

  it('the CLI command: exit 0 with an accepted certificate, exit 2 with one from another CA', async () => {
    const run = (config: Config) => {
      const yaml = join(tempDir(), 'datastation.yaml');
      writeFileSync(yaml, stringify({ dataDir: config.dataDir, server: { host: '127.0.0.1', port: config.server.port, tls: config.server.tls } }));
      return new Promise<{ status: number | null; out: string }>((done) =>
        execFile(process.execPath, ['--import', 'tsx', CLI, '--config', yaml, 'healthcheck'], { cwd: packageRoot(), encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
          done({ status: error ? ((error as { code?: number }).code ?? null) : 0, out: stdout + stderr }),
        ),
      );
    };
    const { config } = await serve('server-only', 'probe');
    expect(await run(config)).toMatchObject({ status: 0, out: expect.stringMatching(/\/health: ok/) as unknown });
    const stranger = { ...config, server: { ...config.server, tls: { ...config.server.tls!, healthcheck: { cert: file('stranger.crt'), key: file('stranger.key') } } } };
    const refused = await run(stranger);
    expect(refused.status).toBe(2);
    expect(refused.out).toMatch(/^datastation: https:\/\/127\.0\.0\.1:\d+\/health: no answer \(the server refused the healthcheck's client certificate/);
  }, 120_000);
});
