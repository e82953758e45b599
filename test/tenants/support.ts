// The `datastation` command as an operator runs it: a real process (tsx), no environment config.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/config/index.js';

const CLI = join(packageRoot(), 'src', 'cli', 'main.ts');

export function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: packageRoot(), env: { ...process.env, DATASTATION_CONFIG: '', DATASTATION_ADMIN_TOKEN: '' }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}
