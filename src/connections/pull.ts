// Bringing a connection's exports here: the files in its folder, or downloads from its endpoint
// into a staging folder of the data folder (streamed to disk, size-capped, time-limited, connected
// only to checked addresses). A failure is one sentence that names no secret.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { AddressError, pinnedStream } from '../trust/index.js';
import { connectionsDir } from './store.js';
import type { Connection } from './schema.js';
import { decryptSecret } from './secrets.js';

export class RunFailure extends Error {
  constructor(readonly code: 'folder_missing' | 'folder_empty' | 'fetch_failed' | 'http_status' | 'empty_download', message: string) {
    super(message);
  }
}

// Files still being written by the exporting system or a copy tool are not an export yet.
const IN_PROGRESS = /\.(part|partial|tmp|crdownload|filepart|download)$/i;

export interface Pulled {
  files: string[];
  /** Removes what was downloaded (nothing for a folder). */
  cleanup(): void;
}

function folderFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !IN_PROGRESS.test(entry.name)) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

/** The single download's name: configured, else the URL's last path segment, made safe for a file name. */
function downloadName(url: URL, configured: string | undefined): string {
  if (configured) return configured;
  let last = url.pathname.split('/').filter(Boolean).at(-1) ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    // keep it as it is
  }
  const safe = last.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return safe || 'export';
}

async function authorization(config: Config, c: Connection): Promise<Record<string, string>> {
  if (c.source.kind !== 'http' || !c.source.auth) return {};
  const secret = await decryptSecret(config, c.source.auth.secret);
  return c.source.auth.kind === 'basic'
    ? { authorization: `Basic ${Buffer.from(`${c.source.auth.user}:${secret}`, 'utf8').toString('base64')}` }
    : { authorization: `Bearer ${secret}` };
}

const STALE_MS = 24 * 3600 * 1000;

/** Downloads a killed run left behind (older than a day: never one still in use). */
function sweepStaging(root: string): void {
  if (!existsSync(root)) return;
  for (const entry of readdirSync(root)) {
    const path = join(root, entry);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // gone meanwhile
    }
  }
}

export async function pull(config: Config, c: Connection, runId: string): Promise<Pulled> {
  const source = c.source;
  if (source.kind === 'folder') {
    if (!existsSync(source.path) || !statSync(source.path).isDirectory()) throw new RunFailure('folder_missing', `the folder ${source.path} does not exist`);
    const files = folderFiles(source.path);
    if (files.length === 0) throw new RunFailure('folder_empty', `the folder ${source.path} holds no export files`);
    return { files, cleanup: () => undefined };
  }
  const root = join(connectionsDir(config.dataDir), 'staging');
  sweepStaging(root);
  const staging = join(root, `${c.name}-${runId}`);
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  const cleanup = () => rmSync(staging, { recursive: true, force: true });
  try {
    const headers = { accept: '*/*', 'user-agent': 'kikv-datastation', ...(await authorization(config, c)) };
    const base = new URL(source.url);
    const targets = source.files
      ? source.files.map((name) => ({ url: new URL(encodeURIComponent(name), base.href.endsWith('/') ? base : new URL(`${base.href}/`)), name }))
      : [{ url: base, name: downloadName(base, source.fileName) }];
    const files: string[] = [];
    let left = source.maxBytes; // the cap is for the whole run, not per file
    for (const target of targets) {
      const path = join(staging, target.name);
      const fd = openSync(path, 'w', 0o600);
      let bytes = 0;
      let status: number;
      try {
        status = await pinnedStream(target.url.href, {
          method: 'GET', headers, timeoutMs: source.timeoutMs, maxBytes: left, allowHttp: source.allowHttp,
          policy: { allowLoopback: source.allowPrivate, allowPrivate: source.allowPrivate },
        }, (chunk) => {
          bytes += chunk.length;
          writeSync(fd, chunk);
        });
      } catch (error) {
        const why = error instanceof AddressError ? `${error.message}${/not public/.test(error.message) ? ' (allowPrivate opts a LAN endpoint in)' : ''}` : (error as Error).message;
        throw new RunFailure('fetch_failed', `${target.name} could not be fetched from ${target.url.origin}: ${why}`);
      } finally {
        closeSync(fd);
      }
      if (status < 200 || status >= 300) throw new RunFailure('http_status', `${target.url.origin} answered HTTP ${status} for ${target.name}`);
      if (bytes === 0) throw new RunFailure('empty_download', `${target.url.origin} served an empty ${target.name}`);
      left -= bytes;
      files.push(path);
    }
    return { files, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}
