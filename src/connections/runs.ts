// The run history of each connection: one JSON line per run, newest last, the last KEEP kept.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurable } from '../store/index.js';
import { ConnectionError } from './errors.js';
import { NAME } from './schema.js';
import { connectionsDir } from './store.js';

export interface RunRecord {
  id: string;
  connection: string;
  trigger: 'manual' | 'schedule';
  actor: string;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  generation?: string;
  /** Rows mapped into the new generation. */
  loaded: number;
  quarantined: number;
  files: number;
  error?: string;
  code?: string;
}

const KEEP = 200;

function runsFile(dataDir: string, name: string): string {
  // The name becomes a file name: only names a connection can have.
  if (!NAME.test(name)) throw new ConnectionError('unknown_connection', 'no connection by that name');
  return join(connectionsDir(dataDir), 'runs', `${name}.jsonl`);
}

/** The runs of a connection, newest first, at most `limit`. */
export function listRuns(dataDir: string, name: string, limit = 50): RunRecord[] {
  const file = runsFile(dataDir, name);
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const out: RunRecord[] = [];
  for (const line of lines.slice(-limit).reverse()) {
    try {
      out.push(JSON.parse(line) as RunRecord);
    } catch {
      // a line cut by a crash is skipped, the others stay readable
    }
  }
  return out;
}

export function appendRun(dataDir: string, record: RunRecord): void {
  const file = runsFile(dataDir, record.connection);
  mkdirSync(join(connectionsDir(dataDir), 'runs'), { recursive: true, mode: 0o700 });
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  lines.push(JSON.stringify(record));
  writeFileDurable(file, lines.slice(-KEEP).join('\n') + '\n', 0o600);
}
