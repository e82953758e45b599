// Where the secret that opens the organisation's private keys comes from. By default it is a file
// in the data directory, beside the encrypted key it opens: whoever copies the data directory
// (a backup, a volume snapshot) has the key. Fine for a demo, said loudly at `serve`; production
// mode refuses it and wants `identity.keySecret: env:NAME` or `file:/path` outside the data dir.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { KeyStoreLockedError } from './agent.js';

export type KeySecretSource = { kind: 'env'; name: string } | { kind: 'file'; path: string; configured: boolean };

/** The source in effect: identity.keySecret, else $DATASTATION_KEY_SECRET, else identity.keySecretFile. */
export function keySecretSource(config: Config, env: NodeJS.ProcessEnv = process.env): KeySecretSource {
  const setting = config.identity.keySecret;
  if (setting?.startsWith('env:')) return { kind: 'env', name: setting.slice(4) };
  if (setting?.startsWith('file:')) return { kind: 'file', path: setting.slice(5), configured: true };
  if (env.DATASTATION_KEY_SECRET) return { kind: 'env', name: 'DATASTATION_KEY_SECRET' };
  return { kind: 'file', path: config.identity.keySecretFile!, configured: false };
}

/** The secret itself. Never logged. */
export function readKeySecret(config: Config, env: NodeJS.ProcessEnv = process.env): string {
  const source = keySecretSource(config, env);
  if (source.kind === 'env') {
    const value = env[source.name];
    if (!value) throw new KeyStoreLockedError(`no key secret: $${source.name} is not set (identity.keySecret)`);
    return value;
  }
  if (existsSync(source.path)) return readFileSync(source.path, 'utf8');
  throw new KeyStoreLockedError(
    source.configured ? `no key secret: ${source.path} (identity.keySecret) does not exist` : `no key secret: set DATASTATION_KEY_SECRET or create ${source.path} (datastation init does)`,
  );
}

/** Whether `path` is inside `dir`, symbolic links resolved as far as they exist. */
function inside(path: string, dir: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      const parent = dirname(p);
      return parent === p ? p : join(real(parent), basename(p));
    }
  };
  const rel = relative(real(dir), real(resolve(path)));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Undefined when the secret lives apart from the key; else the one sentence the operator must read. */
export function keySecretBesideKey(config: Config, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const source = keySecretSource(config, env);
  if (source.kind !== 'file' || !inside(source.path, config.dataDir)) return undefined;
  return `the key secret ${source.path} is inside the data directory, beside the encrypted key it opens: anyone with a copy of ${config.dataDir} has the organisation's private key`;
}
