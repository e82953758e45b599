// The reference layout (deploy/compose.yaml, deploy/datastation.yaml, deploy/haproxy.cfg) read as
// Docker would read it, and mapped onto this machine: the compose variables resolved with test
// values, container paths to temp folders, container names to loopback ports, the image's
// `node dist/src/cli/main.js` to the sources. Everything else is taken from the files as they are.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { packageRoot } from '../../src/config/index.js';
import { IN_CI } from '../store/servers.js';

export const ROOT = packageRoot();
const DEPLOY = join(ROOT, 'deploy');

export interface Service {
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }> | string[];
  networks?: string[] | Record<string, { ipv4_address?: string }>;
  image?: string;
}
export interface Compose {
  services: Record<string, Service>;
  networks: Record<string, { ipam: { config: { subnet: string; ip_range?: string }[] } }>;
}

/** deploy/compose.yaml with its YAML merge keys (`<<: *datastation`) applied, as Compose does. */
export function readCompose(): Compose {
  return parseYaml(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true }) as Compose;
}

export function readDeploymentConfig(): Record<string, unknown> {
  return parseYaml(readFileSync(join(DEPLOY, 'datastation.yaml'), 'utf8')) as Record<string, unknown>;
}

/**
 * Compose interpolation of one value: ${VAR}, ${VAR:-default}, ${VAR:?message} (an unset required
 * variable is an error, as `docker compose` makes it).
 */
export function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*)|:\?([^}]*))?\}/g, (_m, name: string, fallback?: string, required?: string) => {
    const set = vars[name];
    if (set !== undefined && set !== '') return set;
    if (required !== undefined) throw new Error(`compose: ${name} is required (${required || 'no message'})`);
    return fallback ?? '';
  });
}

/** The volume's container path → the host folder, from `name:/path[:ro]` entries. */
export function volumeMounts(service: Service, hostFor: Record<string, string>): Record<string, string> {
  const mounts: Record<string, string> = {};
  for (const v of service.volumes ?? []) {
    const [source, target] = v.split(':') as [string, string];
    const host = hostFor[source];
    if (!host) throw new Error(`no host folder for the volume ${source}`);
    mounts[target] = host;
  }
  return mounts;
}

export function mapPath(value: string, mounts: Record<string, string>): string {
  for (const [target, host] of Object.entries(mounts)) {
    if (value === target) return host;
    if (value.startsWith(`${target}/`)) return host + value.slice(target.length);
  }
  return value;
}

/** The image's CLI (`node dist/src/cli/main.js …`) run from the sources: docker-startup.test.ts covers the built tree. */
export function hostCommand(command: string[]): string[] {
  const [node, main, ...args] = command;
  if (node !== 'node' || main !== 'dist/src/cli/main.js') throw new Error(`not the datastation CLI: ${command.join(' ')}`);
  return [process.execPath, '--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args];
}

export function haproxyBinary(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Why the layout test does not run here (CI never skips: it fails). */
export function skipReason(pgSkip: string | undefined): string | undefined {
  if (IN_CI) return undefined;
  if (pgSkip) return pgSkip;
  return haproxyBinary() ? undefined : 'haproxy is not installed here: run scripts/ci/haproxy.sh (CI does and does not skip)';
}

/**
 * deploy/haproxy.cfg on loopback: the certificate folder moved, each `bind :PORT` on 127.0.0.1 at
 * its mapped port, and each `server-template NAME N host:PORT … resolvers … init-addr none` (Docker's
 * DNS over the replicas) as N `server` lines at the replicas' ports. Nothing else is changed.
 */
export function loopbackHaproxy(text: string, opts: { certs: string; binds: Record<string, number>; replicas: Record<string, number[]> }): string {
  let out = text.replaceAll('/etc/haproxy/certs/', `${opts.certs}/`);
  out = out.replace(/^(\s*bind) :(\d+)/gm, (_m, bind: string, port: string) => {
    const to = opts.binds[port];
    if (to === undefined) throw new Error(`no loopback port for bind :${port}`);
    return `${bind} 127.0.0.1:${to}`;
  });
  out = out.replace(/^(\s*)server-template (\S+) (\d+) ([a-z0-9-]+):(\d+) (.*)$/gm, (_m, indent: string, name: string, count: string, host: string, port: string, rest: string) => {
    const ports = opts.replicas[`${host}:${port}`];
    if (!ports || ports.length !== Number(count)) throw new Error(`server-template ${name}: ${count} servers of ${host}:${port}, ${ports?.length ?? 0} processes`);
    const options = rest.replace(/\s*resolvers \S+/, '').replace(/\s*init-addr \S+/, '');
    return ports.map((p, i) => `${indent}server ${name}${i + 1} 127.0.0.1:${p} ${options}`.trimEnd()).join('\n');
  });
  // Docker's embedded DNS: no longer referred to.
  return out.replace(/^resolvers \S+\n(?:[ \t]+.*\n?)*/m, '');
}

/** A CA, a server certificate it signs for `localhost`, and a client CA with one client certificate (openssl). */
export function makeCerts(dir: string): { serverCa: string; clientCert: string; clientKey: string; strangerCert: string; strangerKey: string } {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) => ssl('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`);
  const leaf = (name: string, signer: string, ext: string) => {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=Test/CN=${name}`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.pem`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  };
  ca('server-ca');
  ca('clients-ca');
  ca('stranger-ca');
  leaf('server', 'server-ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('requester', 'clients-ca', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
  // What haproxy.cfg names: server.pem (certificate and key in one file) and clients-ca.pem.
  writeFileSync(join(dir, 'server.pem'), readFileSync(join(dir, 'server.crt'), 'utf8') + readFileSync(join(dir, 'server.key'), 'utf8'));
  return {
    serverCa: join(dir, 'server-ca.pem'),
    clientCert: join(dir, 'requester.crt'),
    clientKey: join(dir, 'requester.key'),
    strangerCert: join(dir, 'stranger.crt'),
    strangerKey: join(dir, 'stranger.key'),
  };
}

export function writeYaml(file: string, value: unknown): void {
  writeFileSync(file, stringify(value));
}
