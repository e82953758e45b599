// HTTP credentials of connections, encrypted at rest as the organisation's private keys are: a
// NaCl SecretBox whose key is derived (scrypt) from the same key secret ($DATASTATION_KEY_SECRET
// or the key file), under a salt of its own so the two keys differ.
import { scryptSync } from 'node:crypto';
import { SecretBox } from '@veramo/kms-local';
import type { Config } from '../config/index.js';
import { keySecret } from '../trust/index.js';
import { ConnectionError } from './errors.js';

function box(config: Config, env: NodeJS.ProcessEnv): SecretBox {
  let secret: string;
  try {
    secret = keySecret(config, env);
  } catch {
    throw new ConnectionError('no_key_secret', 'credentials cannot be kept encrypted without the key secret: set DATASTATION_KEY_SECRET or run "datastation init"');
  }
  return new SecretBox(scryptSync(secret.trim(), 'kikv-datastation/connections/v1', 32).toString('hex'));
}

export async function encryptSecret(config: Config, plain: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return box(config, env).encrypt(plain);
}

export async function decryptSecret(config: Config, sealed: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    return await box(config, env).decrypt(sealed);
  } catch (error) {
    if (error instanceof ConnectionError) throw error;
    throw new ConnectionError('credential_unreadable', 'the stored credential does not open with this key secret; set it again with "datastation connections edit"');
  }
}
