// `datastation connections add|edit|list|remove|test|run|runs`: named sources imported on a
// schedule (by `datastation serve`) or now. A credential is read from a file or stdin, never from
// the command line (it would sit in the shell history and the process list).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import {
  ConnectionError, addConnection, editConnection, listConnections, listRuns, publicView, removeConnection, runConnection, testConnection,
} from '../connections/index.js';
import { CliError } from './errors.js';

interface SourceOptions {
  system?: string;
  folder?: string;
  url?: string;
  files?: string;
  fileName?: string;
  auth?: string;
  user?: string;
  secretFile?: string;
  allowHttp?: boolean;
  allowPrivate?: boolean;
  timeoutMs?: string;
  maxBytes?: string;
  mappings?: string;
  schedule?: string | false;
}

const actor = () => `cli:${process.env.USER ?? 'unknown'}`;

function readSecret(opts: SourceOptions): string {
  const text = opts.secretFile ? readFileSync(opts.secretFile, 'utf8') : process.stdin.isTTY ? '' : readFileSync(0, 'utf8');
  const secret = text.replace(/\r?\n$/, '');
  if (!secret) throw new CliError(`--auth ${opts.auth} needs the ${opts.auth === 'basic' ? 'password' : 'token'} on stdin or in --secret-file`);
  return secret;
}

function sourceFrom(opts: SourceOptions): Record<string, unknown> | undefined {
  if (opts.folder && opts.url) throw new CliError('give --folder or --url, not both');
  if (opts.folder) return { kind: 'folder', path: opts.folder };
  if (!opts.url) {
    if (opts.auth || opts.files || opts.fileName) throw new CliError('--auth, --files and --file-name go with --url');
    return undefined;
  }
  const number = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new CliError(`${flag} takes a whole number`);
    return Number(v);
  };
  let auth: Record<string, string> | undefined;
  if (opts.auth === 'basic') {
    if (!opts.user) throw new CliError('--auth basic needs --user');
    auth = { kind: 'basic', user: opts.user, password: readSecret(opts) };
  } else if (opts.auth === 'bearer') auth = { kind: 'bearer', token: readSecret(opts) };
  else if (opts.auth !== undefined) throw new CliError('--auth is basic or bearer');
  const timeoutMs = number('--timeout-ms', opts.timeoutMs);
  const maxBytes = number('--max-bytes', opts.maxBytes);
  return {
    kind: 'http', url: opts.url,
    ...(opts.files ? { files: opts.files.split(',').map((f) => f.trim()).filter(Boolean) } : {}),
    ...(opts.fileName ? { fileName: opts.fileName } : {}),
    ...(auth ? { auth } : {}),
    ...(opts.allowHttp ? { allowHttp: true } : {}),
    ...(opts.allowPrivate ? { allowPrivate: true } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(maxBytes !== undefined ? { maxBytes } : {}),
  };
}

/** Connection refusals are CLI refusals: exit 2, one sentence. */
async function refusing<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ConnectionError) throw new CliError(error.message);
    throw error;
  }
}

function sourceOptions(command: Command): Command {
  return command
    .option('--system <system>', 'source system whose mapping set reads the exports (afas-hr, ons-ecd, exact-fin, ons-roosteren, rdf)')
    .option('--folder <dir>', 'a folder the exports are dropped into')
    .option('--url <url>', 'an http(s) endpoint serving the export (or, with --files, the base the files are under)')
    .option('--files <names>', 'comma-separated file names fetched under --url')
    .option('--file-name <name>', 'the name the single download is imported under (default: the URL\'s last segment)')
    .option('--auth <kind>', 'basic | bearer; the password or token from --secret-file or stdin')
    .option('--user <name>', 'user name for --auth basic')
    .option('--secret-file <file>', 'file holding the password or token')
    .option('--allow-http', 'allow plain http (no TLS)')
    .option('--allow-private', 'allow an endpoint on a private, loopback or link-local address (the organisation\'s LAN)')
    .option('--timeout-ms <ms>', 'timeout of one run\'s downloads')
    .option('--max-bytes <n>', 'most bytes one run downloads')
    .option('--mappings <dir>', 'a folder of mapping sets used instead of the configured one')
    .option('--schedule <cron>', 'when it runs under "datastation serve" (cron: "0 2 * * *" is 02:00 daily)');
}

export function registerConnectionCommands(program: Command, config: () => Config): void {
  const connections = program.command('connections').description('named sources imported on a schedule (datastation serve) or on demand');

  sourceOptions(connections.command('add').description('add a connection').argument('<name>'))
    .action(async (name: string, opts: SourceOptions) => {
      const source = sourceFrom(opts);
      if (!source) throw new CliError('give --folder <dir> or --url <url>');
      if (!opts.system) throw new CliError('give --system <system>');
      const c = await refusing(() => addConnection(config(), { name, system: opts.system, source, ...(opts.mappings ? { mappings: opts.mappings } : {}), ...(opts.schedule ? { schedule: opts.schedule } : {}) }, actor()));
      console.log(`added connection ${c.name} (${c.system})${c.schedule ? `, runs on "${c.schedule}" under datastation serve` : ', runs on demand'}`);
    });

  sourceOptions(connections.command('edit').description('change a connection (only the options given)').argument('<name>'))
    .option('--no-schedule', 'remove the schedule (run on demand only)')
    .action(async (name: string, opts: SourceOptions) => {
      const source = sourceFrom(opts);
      const patch = {
        ...(opts.system ? { system: opts.system } : {}), ...(source ? { source } : {}), ...(opts.mappings ? { mappings: opts.mappings } : {}),
        ...(opts.schedule === false ? { schedule: null } : opts.schedule ? { schedule: opts.schedule } : {}),
      };
      if (Object.keys(patch).length === 0) throw new CliError('nothing to change: give the options to change');
      await refusing(() => editConnection(config(), name, patch, actor()));
      console.log(`changed connection ${name}`);
    });

  connections.command('list').description('the connections and their last run').option('--json', 'as JSON').action((opts: { json?: boolean }) => {
    const cfg = config();
    const all = listConnections(cfg.dataDir).map((c) => ({ ...publicView(c), lastRun: listRuns(cfg.dataDir, c.name, 1)[0] }));
    if (opts.json) return console.log(JSON.stringify(all, null, 2));
    if (!all.length) return console.log('no connections; add one with "datastation connections add"');
    for (const c of all) {
      const where = c.source.kind === 'folder' ? c.source.path : c.source.url;
      const last = c.lastRun ? `last run ${c.lastRun.finishedAt} ${c.lastRun.ok ? `ok, generation ${c.lastRun.generation}` : `failed: ${c.lastRun.error}`}` : 'never run';
      console.log(`${c.name}  ${c.system}  ${c.source.kind} ${where}  ${c.schedule ? `"${c.schedule}"` : 'on demand'}  ${last}`);
    }
  });

  connections.command('remove').description('remove a connection (its run history stays)').argument('<name>').action(async (name: string) => {
    await refusing(() => removeConnection(config(), name, actor()));
    console.log(`removed connection ${name}`);
  });

  connections.command('test').description('reach the source and list what it holds, importing nothing').argument('<name>').action(async (name: string) => {
    const result = await refusing(() => testConnection(config(), name, actor()));
    for (const f of result.files) console.log(`  ${f.name}${f.claimed ? '' : '  (no mapping reads it)'}`);
    if (!result.ok) throw new CliError(`connection ${name}: ${result.error}`);
    console.log(`connection ${name}: ok, ${result.files.length} file(s)`);
  });

  connections.command('run').description('run a connection now: its exports as a new generation').argument('<name>')
    .option('--allow-shrink', 'accept entities missing from this run or shrinking beyond import.maxShrinkPercent')
    .action(async (name: string, opts: { allowShrink?: boolean }) => {
      const result = await refusing(() => runConnection(config(), name, { actor: actor(), trigger: 'manual', allowShrink: opts.allowShrink ?? false }));
      if (!result.ok) throw new CliError(`connection ${name}: ${result.error}`);
      console.log(`connection ${name}: generation ${result.generation}, ${result.loaded} rows loaded, ${result.quarantined} quarantined, from ${result.files} file(s)`);
    });

  connections.command('runs').description('the run history of a connection, newest first').argument('<name>').option('-n, --limit <n>', 'how many', '20')
    .action((name: string, opts: { limit: string }) => {
      for (const r of listRuns(config().dataDir, name, Math.max(1, Math.min(200, Number(opts.limit) || 20)))) {
        console.log(`${r.finishedAt}  ${r.trigger}  ${r.actor}  ${r.ok ? `ok generation ${r.generation}, ${r.loaded} loaded, ${r.quarantined} quarantined` : `failed: ${r.error}`}`);
      }
    });
}
