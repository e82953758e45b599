// The image's start-up without a Docker engine: the app tree the Dockerfile's COPY lines produce,
// built with the real build, read-only and owned by someone else; the environment of the
// Dockerfile and the compose file; the image's CMD and HEALTHCHECK run as they are, as an
// unprivileged user (when the test runs as root) in the read-only /app. It must reach ready once
// the exports are imported the way the README says (docker compose exec … import /exports).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/config/index.js';
import { tempDir } from './helpers.js';
import { freePort } from './e2e/support.js';

const ROOT = packageRoot();
const NOBODY = 65534;

/** ENV, COPY --from=build, CMD and HEALTHCHECK CMD of the runtime stage. */
function readDockerfile() {
  const text = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const runtime = text.slice(text.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const line of runtime.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const [, k, v] of line.slice(4).matchAll(/([A-Z_]+)=(\S+)/g)) env[k!] = v!;
  }
  const copies = runtime.split('\n').filter((l) => l.startsWith('COPY --from=build ')).map((l) => l.split(/\s+/).slice(2));
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)![1]!) as string[];
  const health = JSON.parse(/HEALTHCHECK .*CMD (\[.*\])$/m.exec(runtime)![1]!) as string[];
  return { env, copies, cmd, health };
}

/** The compose service's environment with its ${VAR:-default} defaults and values for the required ${VAR:?…}. */
function composeEnv(): Record<string, string> {
  const compose = parseYaml(readFileSync(join(ROOT, 'docker', 'compose.yaml'), 'utf8')) as { services: { datastation: { environment: Record<string, string> } } };
  const required: Record<string, string> = { DATASTATION_KEY_SECRET: 'a-long-random-secret-for-the-test-0123456789', DATASTATION_ADMIN_TOKEN: 'an-admin-token-for-the-test-0123456789abcdef' };
  return Object.fromEntries(
    Object.entries(compose.services.datastation.environment).map(([k, v]) => {
      const ref = /^\$\{([A-Z_]+)(?::-(.*)|:\?.*)\}$/.exec(v);
      return [k, ref ? (ref[2] ?? required[ref[1]!] ?? '') : v];
    }),
  );
}

const asUser = () => (process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {});

function run(cmd: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    execFile(cmd[0]!, cmd.slice(1), { cwd, env, ...asUser(), encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? null) : 0, out: stdout + stderr }),
    );
  });
}

let server: ChildProcess | undefined;
afterAll(() => {
  if (server?.pid && server.exitCode === null) process.kill(server.pid, 'SIGTERM');
});

function linkTree(from: string, to: string): void {
  try {
    execFileSync('cp', ['-al', from, to]);
  } catch {
    symlinkSync(from, to);
  }
}

describe('the Docker image start-up, without Docker', () => {
  it('init + serve as the image runs them (read-only /app, compose environment) reach healthy, then ready after an import', async () => {
    const { env: imageEnv, copies, cmd, health } = readDockerfile();
    const root = tempDir('ds-image-');
    chmodSync(root, 0o755);
    const app = join(root, 'app');
    mkdirSync(app);
    // The build stage: the real build into the app's dist; node_modules as installed.
    for (const copy of copies) {
      const dest = copy.at(-1)!;
      for (const src of copy.slice(0, -1).map((s) => s.replace(/^\/app\/?/, ''))) {
        const target = dest.endsWith('/') || copy.length > 2 ? join(app, dest, src.split('/').at(-1)!) : join(app, dest);
        if (src === 'dist') continue;
        // Hard links, not a symlink: the unprivileged user must reach them even when the checkout
        // sits under a folder only root may enter (a mktemp clone); a symlink only across file systems.
        if (src === 'node_modules') linkTree(join(ROOT, 'node_modules'), target);
        else cpSync(join(ROOT, src), target, { recursive: true, filter: (p) => !p.includes('test-only') });
      }
    }
    const build = await new Promise<number | null>((done) =>
      execFile(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { cwd: ROOT }, (e) => done(e ? 1 : 0)),
    );
    expect(build).toBe(0);
    // /app read-only (as root the ownership does it: the server runs as another user).
    const readOnly = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) readOnly(join(dir, entry.name));
      chmodSync(dir, 0o555);
    };
    readOnly(app);

    // The /data volume and the read-only /exports mount, mapped to folders of the test.
    const data = join(root, 'data');
    mkdirSync(data, { mode: 0o700 });
    if (process.getuid?.() === 0) chownSync(data, NOBODY, NOBODY);
    const exportsDir = join(root, 'exports');
    cpSync(join(ROOT, 'examples', 'de-linde'), exportsDir, { recursive: true });
    const mapPath = (v: string) => v.replace(/^\/data(?=\/|$)/, data).replace(/^\/exports(?=\/|$)/, exportsDir);
    const [port, adminPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH, HOME: root,
      ...Object.fromEntries(Object.entries({ ...imageEnv, ...composeEnv() }).map(([k, v]) => [k, mapPath(v)])),
      DATASTATION_PORT: String(port), DATASTATION_ADMIN_PORT: String(adminPort), DATASTATION_HOST: '127.0.0.1', DATASTATION_ADMIN_HOST: '127.0.0.1',
    };
    expect(env.DATASTATION_CONFIG).toBe(join(data, 'datastation.yaml'));

    let log = '';
    server = spawn(cmd[0]!, cmd.slice(1), { cwd: app, env, ...asUser(), stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    server.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    const until = async (check: string[], ms: number) => {
      const end = Date.now() + ms;
      for (;;) {
        const r = await run(check, app, env);
        if (r.code === 0) return r;
        if (server!.exitCode !== null) throw new Error(`the server ended (${server!.exitCode}): ${log.slice(-2000)}`);
        if (Date.now() > end) throw new Error(`${check.join(' ')} never passed: ${r.out}\n${log.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    await until(health, 120_000);
    expect(existsSync(join(data, 'datastation.yaml'))).toBe(true); // written into the volume, not /app
    expect(existsSync(join(app, 'datastation.yaml'))).toBe(false);
    const imported = await run(['node', 'dist/src/cli/main.js', 'import', '--quiet', mapPath('/exports')], app, env);
    expect(imported.code, imported.out).toBe(0);
    await until([...health, '--ready'], 60_000);
  }, 400_000);
});
