// The key secret beside the encrypted key: said loudly at `serve`, refused in production mode;
// identity.keySecret (env:NAME | file:/path) keeps it apart from the data directory.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { checkKeySecret } from '../../src/cli/serve-command.js';
import { describeCliError } from '../../src/cli/errors.js';
import { initIdentity, keySecretBesideKey, openOwnAgent, readKeySecret } from '../../src/trust/index.js';
import { tempDir, testConfig } from '../helpers.js';

const CLI = join(packageRoot(), 'src', 'cli', 'main.ts');

function refusal(f: () => void): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('the key secret', () => {
  it('by default it is a file in the data directory: a warning in development, a refusal (exit 2) in production', async () => {
    const config = testConfig();
    await initIdentity(config, {});
    expect(existsSync(join(config.dataDir, 'identity', 'key-secret'))).toBe(true);
    expect(keySecretBesideKey(config, {})).toMatch(/inside the data directory/);
    const warnings: string[] = [];
    checkKeySecret(config, (t) => warnings.push(t));
    expect(warnings.join('')).toMatch(/^!{78}\nWARNING: the key secret .*key-secret is inside the data directory/);
    const error = refusal(() => checkKeySecret({ ...config, mode: 'production' }));
    expect(error).toMatchObject({ code: 'key_secret_beside_key' });
    expect(describeCliError(error)).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^production mode: the key secret .* identity\.keySecret/) as unknown });
  });

  it('env:NAME: init writes no secret file, the agent opens with it, production accepts it', async () => {
    const env = { KIKV_TEST_SECRET: 'a long random secret kept in the environment' };
    const config = testConfig(undefined, { 'identity.keySecret': 'env:KIKV_TEST_SECRET', mode: 'production' });
    await initIdentity(config, env);
    expect(existsSync(join(config.dataDir, 'identity', 'key-secret'))).toBe(false);
    expect(readKeySecret(config, env)).toBe(env.KIKV_TEST_SECRET);
    expect(keySecretBesideKey(config, env)).toBeUndefined();
    await expect(openOwnAgent(config, env)).resolves.toBeDefined();
    await expect(openOwnAgent(config, { KIKV_TEST_SECRET: 'another secret' })).rejects.toMatchObject({ code: 'key_store_locked' });
    expect(() => readKeySecret(config, {})).toThrow(/KIKV_TEST_SECRET is not set/);
  });

  it('file:/path outside the data directory is accepted; inside it, or a link into it, is beside the key', async () => {
    const outside = tempDir('ds-secret-');
    writeFileSync(join(outside, 'secret'), 'mounted secret', { mode: 0o600 });
    const config = testConfig(undefined, { 'identity.keySecret': `file:${join(outside, 'secret')}` });
    await initIdentity(config, {});
    expect(keySecretBesideKey(config, {})).toBeUndefined();
    expect(readKeySecret(config, {})).toBe('mounted secret');

    mkdirSync(join(config.dataDir, 'secrets'));
    writeFileSync(join(config.dataDir, 'secrets', 's'), 'x');
    const inside = { ...config, identity: { ...config.identity, keySecret: `file:${join(config.dataDir, 'secrets', 's')}` } };
    expect(keySecretBesideKey(inside, {})).toMatch(/inside the data directory/);
    symlinkSync(join(config.dataDir, 'secrets'), join(outside, 'link'));
    const linked = { ...config, identity: { ...config.identity, keySecret: `file:${join(outside, 'link', 's')}` } };
    expect(keySecretBesideKey(linked, {})).toMatch(/inside the data directory/);
    expect(() => testConfig(undefined, { 'identity.keySecret': 'file:relative/path' })).toThrow(/env:NAME or file:\/absolute\/path/);
  });

  it('`serve --production` and DATASTATION_MODE=production refuse to start with the default secret', async () => {
    const config = testConfig();
    await initIdentity(config, {});
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ status: number | null; stderr: string }>((done) => {
        execFile(process.execPath, ['--import', 'tsx', CLI, '--data-dir', config.dataDir, ...args], { cwd: packageRoot(), env: { ...process.env, DATASTATION_CONFIG: '', DATASTATION_KEY_SECRET: '', ...env }, encoding: 'utf8', timeout: 60_000 }, (error, _o, stderr) =>
          done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
        );
      });
    for (const [args, env] of [[['serve', '--production'], {}], [['serve'], { DATASTATION_MODE: 'production' }]] as const) {
      const r = await run([...args], env);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^datastation: production mode: the key secret .*key-secret is inside the data directory/);
    }
  }, 120_000);
});
