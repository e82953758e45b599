// CLI refusals exit 2 with one sentence, never a stack trace: a bad or unknown config key, a
// missing input, a bad --param, a port in use (and the server then really ends).
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, packageRoot } from '../src/config/index.js';
import { GenerationError, latestGoodGeneration } from '../src/store/index.js';
import { initIdentity } from '../src/trust/index.js';
import { describeCliError, CliError } from '../src/cli/errors.js';
import { parseParams } from '../src/cli/engine.js';
import { tempDir, testConfig } from './helpers.js';

const CLI = join(packageRoot(), 'src', 'cli', 'main.ts');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: packageRoot(), env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 }, (error, _stdout, stderr) => {
      done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stderr, ms: Date.now() - started });
    });
  });
}

const configError = (raw: string): string => {
  const dir = tempDir();
  writeFileSync(join(dir, 'c.yaml'), raw);
  try {
    loadConfig({ file: join(dir, 'c.yaml'), env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('CLI refusals', () => {
  it('an unknown config key at any level is refused with its path', () => {
    expect(configError('dataDirr: ./x\n')).toMatch(/: dataDirr: unknown key$/);
    expect(configError('organisation:\n  nmae: X\n')).toMatch(/: organisation\.nmae: unknown key$/);
    expect(configError('server:\n  tls: { key: k, cert: c, requireClientCerts: true }\n')).toMatch(/server\.tls\.requireClientCerts: unknown key/);
    expect(configError('import:\n  csv: { delimitter: ";" }\n')).toMatch(/import\.csv\.delimitter: unknown key/);
    expect(configError('exchange:\n  release: [{ mode: manual, profiel: x }]\n')).toMatch(/exchange\.release\.0\.profiel: unknown key/);
    // The shipped example stays valid.
    expect(() => loadConfig({ file: join(packageRoot(), 'datastation.example.yaml'), env: {} })).not.toThrow();
  });

  it('system errors and CLI refusals are exit 2 with one sentence; a bug stays exit 1 with its stack', async () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, stat '/nope'"), { code: 'ENOENT', syscall: 'stat', path: '/nope' });
    expect(describeCliError(enoent)).toEqual({ exitCode: 2, message: 'cannot stat /nope: no such file or folder' });
    expect(() => parseParams(['jaar'])).toThrow(CliError);
    expect(describeCliError(new CliError('--param expects name=value, got "jaar"')).exitCode).toBe(2);
    expect(describeCliError(new TypeError('x is undefined'))).toMatchObject({ exitCode: 1, stack: expect.stringContaining('TypeError') as unknown });
    // No generation: after `npm run demo` the hint names data/demo.
    const cwd = tempDir();
    mkdirSync(join(cwd, 'data', 'demo'), { recursive: true });
    writeFileSync(join(cwd, 'data', 'demo', 'CURRENT'), 'g000001-x\n');
    const missing = await latestGoodGeneration(join(cwd, 'data')).catch((e: unknown) => e as GenerationError);
    const { exitCode, message } = describeCliError(missing, cwd);
    expect(exitCode).toBe(2);
    expect(message).toMatch(/no complete generation in .*\(the demo's data is in data\/demo: pass --data-dir data\/demo\); for a data directory of your own, run "datastation init" and then "datastation import <exports>"$/);
    expect(describeCliError(missing, tempDir()).message).not.toMatch(/demo/);
  });

  it('the command line: a missing input, an unknown config key, a port in use — exit 2, no stack, and serve really ends', async () => {
    const config = testConfig();
    await initIdentity(config, {});
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.yaml'), 'organisation:\n  nmae: X\n');
    try {
      const [input, unknownKey, serve] = await Promise.all([
        cli(['--data-dir', config.dataDir, 'import', join(dir, 'nope')]),
        cli(['--config', join(dir, 'bad.yaml'), 'status']),
        cli(['--data-dir', config.dataDir, 'serve'], { DATASTATION_HOST: '127.0.0.1', DATASTATION_PORT: String(port), DATASTATION_ADMIN_PORT: '0' }),
      ]);
      expect(input).toMatchObject({ status: 2 });
      expect(input.stderr.trim()).toBe(`datastation: cannot stat ${join(dir, 'nope')}: no such file or folder`);
      expect(unknownKey.status).toBe(2);
      expect(unknownKey.stderr.trim()).toMatch(/^datastation: invalid configuration in .*bad\.yaml: organisation\.nmae: unknown key$/);
      // Before the fix the process kept running (query workers open) after EADDRINUSE; the timeout above would end it with null.
      expect(serve.status).toBe(2);
      expect(serve.stderr.trim().split('\n').at(-1)).toBe(`datastation: the requester API cannot listen on 127.0.0.1:${port}: the address is already in use`);
      expect(serve.stderr).not.toMatch(/unexpected error|\n\s+at /);
    } finally {
      blocker.close();
    }
  }, 120_000);
});
