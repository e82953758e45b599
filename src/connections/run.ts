// One run of a connection: pull its exports, import them as today (a new generation, quarantine,
// activity log, shrink refusal) for its system only, and record the run. A failing run leaves the
// current generation as it was and says why in one sentence. One run at a time per data folder in
// this process, and the importer's lock across processes (a CLI import, another datastation).
import { randomBytes } from 'node:crypto';
import { recordActivity } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { ImportBusyError, runImport } from '../importer/index.js';
import { isRdfFile } from '../ingest/index.js';
import { assignFiles, loadMappings, RDF_SYSTEM } from '../mapping/index.js';
import { currentGenerationId } from '../store/index.js';
import { ConnectionError } from './errors.js';
import { pull, RunFailure } from './pull.js';
import { appendRun, type RunRecord } from './runs.js';
import { getConnection, sourceSummary } from './store.js';

export interface RunResult {
  run: string;
  ok: boolean;
  generation?: string;
  loaded: number;
  quarantined: number;
  files: number;
  error?: string;
  code?: string;
}

export interface RunOptions {
  actor: string;
  trigger?: 'manual' | 'schedule';
  /** Passed to the import (as --allow-shrink would be). */
  allowShrink?: boolean;
}

const running = new Set<string>();

/** A multi-line refusal (one line per shrunk entity) as one sentence: its head and first reason. */
export function oneSentence(message: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  const head = (lines[0] ?? 'the run failed').replace(/\s*\(pass --allow-[a-z-]+ to [^)]*\)/, '').replace(/:$/, '');
  if (lines.length < 2) return head.slice(0, 500);
  return `${head}: ${lines[1]}${lines.length > 2 ? ` (and ${lines.length - 2} more)` : ''}`.slice(0, 500);
}

function runId(): string {
  return `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}

export async function runConnection(config: Config, name: string, options: RunOptions): Promise<RunResult> {
  const connection = getConnection(config.dataDir, name);
  if (running.has(config.dataDir)) throw new ConnectionError('run_busy', 'another connection run is in progress; try again when it is done');
  running.add(config.dataDir);
  const id = runId();
  const startedAt = new Date().toISOString();
  let result: RunResult;
  try {
    let files = 0;
    try {
      const pulled = await pull(config, connection, id);
      files = pulled.files.length;
      try {
        const summary = await runImport(
          { ...config, mappingsDir: connection.mappings ?? config.mappingsDir },
          { inputs: pulled.files, source: connection.system, actor: options.actor, allowShrink: options.allowShrink ?? false },
        );
        result = { run: id, ok: true, generation: summary.generation, loaded: summary.rowsMapped, quarantined: summary.rowsQuarantined, files };
      } finally {
        pulled.cleanup();
      }
    } catch (error) {
      if (error instanceof ConnectionError && error.code !== 'credential_unreadable' && error.code !== 'no_key_secret') throw error;
      const current = currentGenerationId(config.dataDir);
      const why = error instanceof ImportBusyError ? 'another import is running' : oneSentence((error as Error).message);
      const code = (error as { code?: string }).code ?? 'run_failed';
      const known = error instanceof RunFailure || error instanceof ImportBusyError || error instanceof ConnectionError || typeof (error as { code?: unknown }).code === 'string';
      if (!known) console.error(`connection ${name}: unexpected run failure`, error);
      result = { run: id, ok: false, loaded: 0, quarantined: 0, files, code, error: /stays current|previous data stays|nothing was imported/.test(why) ? why : `${why}; ${current ? `generation ${current} stays current` : 'nothing is imported yet'}` };
    }
    const record: RunRecord = {
      id, connection: name, trigger: options.trigger ?? 'manual', actor: options.actor, startedAt, finishedAt: new Date().toISOString(),
      ok: result.ok, loaded: result.loaded, quarantined: result.quarantined, files: result.files,
      ...(result.generation ? { generation: result.generation } : {}), ...(result.error ? { error: result.error, code: result.code } : {}),
    };
    // The importer logged the import itself; this entry ties it to the connection and its trigger.
    recordActivity(config.dataDir, {
      actor: options.actor, activity: result.ok ? 'connection-run' : 'connection-run-failed', connection: name, run: id, trigger: record.trigger,
      source: sourceSummary(connection.source), generation: result.generation, loaded: result.loaded, quarantined: result.quarantined, error: result.error, code: result.code,
    });
    appendRun(config.dataDir, record);
    return result;
  } finally {
    running.delete(config.dataDir);
  }
}

export interface TestResult {
  ok: boolean;
  files: { name: string; claimed: boolean }[];
  error?: string;
}

/** Reach the source and name what it holds, importing nothing: does the folder or endpoint work, would the mapping set read the files. */
export async function testConnection(config: Config, name: string, actor: string): Promise<TestResult> {
  const connection = getConnection(config.dataDir, name);
  let result: TestResult;
  try {
    const pulled = await pull(config, connection, `test-${runId()}`);
    try {
      const mappings = connection.system === RDF_SYSTEM ? undefined : loadMappings(connection.mappings ?? config.mappingsDir, config.mappings.overrides).get(connection.system) ?? [];
      const files = pulled.files.map((f) => ({ name: f.split(/[\\/]/).at(-1)!, claimed: mappings ? assignFiles(mappings, [f]).unclaimed.length === 0 : isRdfFile(f) }));
      const unclaimed = files.filter((f) => !f.claimed);
      result = unclaimed.length
        ? { ok: false, files, error: `${unclaimed.length} file(s) no ${connection.system} mapping reads: ${unclaimed.slice(0, 5).map((f) => f.name).join(', ')}` }
        : { ok: true, files };
    } finally {
      pulled.cleanup();
    }
  } catch (error) {
    if (error instanceof ConnectionError && error.code === 'unknown_connection') throw error;
    result = { ok: false, files: [], error: oneSentence((error as Error).message) };
  }
  recordActivity(config.dataDir, { actor, activity: 'connection-test', connection: name, ok: result.ok, files: result.files.length, error: result.error });
  return result;
}
