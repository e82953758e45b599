// How the CLI ends on an error: a refusal (bad input, bad config, a missing file, a busy port)
// exits 2 with one sentence and no stack; only a real bug exits 1 with its stack.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/index.js';
import { ImportBusyError, ImportRejectedError } from '../importer/index.js';
import { GenerationError } from '../store/index.js';
import { QueryError } from '../query/index.js';
import { ProfileError } from '../profiles/index.js';
import { KeyStoreLockedError, TrustError } from '../trust/index.js';
import { ReleaseError } from '../exchange/index.js';
import { AccountError } from '../accounts/index.js';

/** A refusal raised by the CLI itself (a bad option value, a port in use). */
export class CliError extends Error {
  readonly code = 'refused';
}

const KNOWN = [CliError, ConfigError, ImportRejectedError, ImportBusyError, GenerationError, ProfileError, QueryError, KeyStoreLockedError, ReleaseError, TrustError, AccountError];

/** Node's system errors (ENOENT, EACCES, EADDRINUSE, …): the operator's environment, not a bug. */
function systemError(error: unknown): string | undefined {
  const e = error as { code?: unknown; syscall?: unknown; path?: unknown; address?: unknown; port?: unknown };
  if (!(error instanceof Error) || typeof e.code !== 'string' || !/^E[A-Z0-9]+$/.test(e.code) || typeof e.syscall !== 'string') return undefined;
  const what: Record<string, string> = {
    ENOENT: 'no such file or folder', EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device', EADDRINUSE: 'the address is already in use', EADDRNOTAVAIL: 'the address is not available on this machine',
    EISDIR: 'a folder, not a file', ENOTDIR: 'not a folder', EEXIST: 'already exists',
  };
  const target = typeof e.path === 'string' ? ` ${e.path}` : typeof e.address === 'string' ? ` ${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}` : '';
  return `cannot ${e.syscall}${target}: ${what[e.code] ?? e.code}`;
}

/** After `npm run demo` the data is in data/demo, not the default ./data: say so instead of "import first". */
function generationHint(error: GenerationError, cwd: string): string {
  if (error.code !== 'no_generation') return '';
  const demo = resolve(cwd, 'data', 'demo');
  const hint = existsSync(join(demo, 'CURRENT')) && !error.message.includes(demo) ? ` (the demo's data is in ${join('data', 'demo')}: pass --data-dir data/demo)` : '';
  return `${hint}; for a data directory of your own, run "datastation init" and then "datastation import <exports>"`;
}

export function describeCliError(error: unknown, cwd = process.cwd()): { exitCode: 1 | 2; message: string; stack?: string } {
  const e = error as Error & { reportDir?: string };
  const system = systemError(error);
  if (system) return { exitCode: 2, message: system };
  if (!KNOWN.some((k) => error instanceof k)) return { exitCode: 1, message: `unexpected error: ${e.message}`, ...(e.stack ? { stack: e.stack } : {}) };
  const hint = error instanceof GenerationError ? generationHint(error, cwd) : '';
  const message = hint ? e.message.replace(/; run "datastation import" first$/, '') + hint : e.message;
  const report = e.reportDir ? `${message.includes('\n') ? '\n ' : ''} (report: ${e.reportDir})` : '';
  return { exitCode: 2, message: message + report };
}
