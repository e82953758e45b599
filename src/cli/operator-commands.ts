// `datastation release …` (the manual-release queue, the same one the admin API works on) and
// `datastation audit verify|export`.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { AuditWriteError, auditFor, auditPath, checkpointsPath, exportAuditLines, readCheckpoints, verifyLogAndCheckpoints, writeCheckpoint } from '../audit/index.js';
import { releaseQueue } from '../state/index.js';
import { checkpointKeys, checkpointSigner } from '../trust/index.js';
import { answerTables, type Change, type ReleaseItem, type ReleaseState } from '../exchange/index.js';
import { CliError } from './errors.js';
import { printableLine, safeJson } from './sanitize.js';
import { formatJsonTable } from './table.js';

const cliActor = () => `cli:${process.env.USER ?? 'unknown'}`;
const collect = (value: string, all: string[]) => [...all, value];

/** The release rule as the operator configured it: "default (manual)", "rule 2 (auto), held: small cells". */
function ruleText(item: ReleaseItem): string {
  if (!item.release) return '';
  const where = item.release.rule === 'default' ? 'default' : `rule ${item.release.rule}`;
  return `${where} (${item.release.mode})${item.release.held ? ', held: small cells' : ''}`;
}

/** "question:row:column=value" (the value may hold ':' and '='); the question id may not hold ':'. */
function cellChange(text: string, withValue: boolean): Change {
  const eq = withValue ? text.indexOf('=') : text.length;
  const [question, row, column, ...rest] = text.slice(0, eq < 0 ? text.length : eq).split(':');
  if (!question || !column || rest.length || !/^\d+$/.test(row ?? '') || eq < 0) {
    throw new CliError(withValue ? `--set ${JSON.stringify(text.slice(0, 80))} is not question:row:column=value` : `--unset ${JSON.stringify(text.slice(0, 80))} is not question:row:column`);
  }
  return { question, row: Number(row), column, value: withValue ? text.slice(eq + 1) : null };
}

/** Run a logged action; an audit failure leaves the item as it was and exits 2. */
async function logged(id: string, action: () => Promise<ReleaseItem>): Promise<ReleaseItem | undefined> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof AuditWriteError)) throw error;
    console.error(printableLine(`datastation: ${id} is unchanged: it cannot be logged (${error.message})`));
    process.exitCode = 2;
    return undefined;
  }
}

/**
 * `deployment`: the configuration of a deployment directory's own audit chain (the refusals its
 * front made), for `audit verify|export --deployment`.
 */
export function registerOperatorCommands(program: Command, config: () => Config, deployment: () => Config = config): void {
  const release = program.command('release').description('answers waiting for manual release (the running server delivers decided ones)');
  release
    .command('list')
    .option('-s, --state <state>', 'pending | approved | rejected')
    .action((opts: { state?: ReleaseState }) => {
      const items = releaseQueue(config()).list(opts.state);
      if (!items.length) console.log('nothing in the release queue');
      for (const i of items) {
        // Requester, profile and indicator names come from the request: printed inert.
        const flags = [ruleText(i), i.corrections?.length ? `corrected ${i.corrections.length}x` : '', i.smallCells?.length ? `${i.smallCells.length} small cell(s)` : ''].filter(Boolean).join(', ');
        const questions = i.questions.map((q) => `${q.profile} ${q.version} ${q.id} (${q.rows} rows)`).join(', ');
        console.log(printableLine(`${i.id}  ${i.state}${i.delivery ? `/${i.delivery}` : ''}  ${i.received}  ${i.requester}  ${questions}  [${flags}]`, 4000));
      }
    });
  release
    .command('show')
    .description('the item and each answer as a table, rows numbered as "release correct" takes them; * marks a small-number cell')
    .argument('<id>')
    .option('--json', 'the whole item as JSON')
    .action((id: string, opts: { json?: boolean }) => {
      const queue = releaseQueue(config());
      const item = queue.get(id);
      if (opts.json) return console.log(safeJson(item, 2));
      console.log(printableLine(`${item.id}  ${item.state}${item.delivery ? `/${item.delivery}` : ''}  from ${item.requester}, received ${item.received}  [${ruleText(item)}]`, 4000));
      for (const c of item.corrections ?? []) console.log(printableLine(`corrected ${c.at} by ${c.by}: ${c.reason} (${c.changes.length} cell(s))`, 4000));
      const tables = answerTables(queue.answer(item));
      for (const q of item.questions) {
        const table = tables.get(q.id);
        console.log(printableLine(`\n[${q.id}] ${q.profile} ${q.version}: ${q.title}`, 4000));
        if (!table) continue;
        const small = new Set((item.smallCells ?? []).filter((c) => c.question === q.id).map((c) => `${c.row}:${c.column}`));
        const rows = table.rows.map((r, i) => ({
          row: { type: 'literal', value: String(i) },
          ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, small.has(`${i}:${k}`) ? { ...v, value: `${v.value} *` } : v])),
        }));
        console.log(formatJsonTable(JSON.stringify({ head: { vars: ['row', ...table.head.vars] }, results: { bindings: rows } })));
      }
    });
  release
    .command('correct')
    .description('change cells of a waiting answer by hand (rows count from 0, as in "release show"); the original is kept')
    .argument('<id>')
    .option('--set <question:row:column=value>', 'a cell and its new value (repeat for more)', collect, [])
    .option('--unset <question:row:column>', 'a cell to leave empty in what is sent (repeat for more)', collect, [])
    .requiredOption('-r, --reason <text>', 'why (logged, and told to the requester)')
    .action(async (id: string, opts: { set: string[]; unset: string[]; reason: string }) => {
      const changes: Change[] = [...opts.set.map((s) => cellChange(s, true)), ...opts.unset.map((s) => cellChange(s, false))];
      const item = await logged(id, () => releaseQueue(config()).correct(id, { by: cliActor(), reason: opts.reason, changes }));
      if (!item) return;
      const last = item.corrections!.at(-1)!;
      for (const c of last.changes) console.log(printableLine(`${c.question} row ${c.row} ${c.column}: ${c.from ?? '(empty)'} -> ${c.to ?? '(empty)'}`, 4000));
      console.log(`${id} corrected (${item.corrections!.length} correction(s)); ${item.smallCells?.length ?? 0} small cell(s) left; approve to send the corrected answer`);
    });
  for (const decision of ['approve', 'reject'] as const) {
    release
      .command(decision)
      .argument('<id>')
      .option('-r, --reason <text>', decision === 'reject' ? 'told to the requester (required)' : 'required to release cells with small numbers under allow-with-reason')
      .action(async (id: string, opts: { reason?: string }) => {
        const cfg = config();
        const item = await logged(id, () => releaseQueue(cfg).decide(id, { decision: decision === 'approve' ? 'approved' : 'rejected', by: cliActor(), ...(opts.reason ? { reason: opts.reason } : {}) }));
        if (item) console.log(`${id} ${item.state}${item.suppressed?.length ? ` (${item.suppressed.length} small cell(s) removed)` : ''}; the server delivers it to ${printableLine(item.reply_url, 500)}`);
      });
  }

  const audit = program.command('audit').description('the NEN 7513 activity log');
  audit
    .command('verify')
    .description('recompute the hash chain and check it against the signed checkpoints; exit 2 at the first edited, removed or reordered entry, or a cut or rewritten log')
    .option('--checkpoints <file>', "signed checkpoints to check against (an auditor's copy); default <dataDir>/audit/checkpoints.jsonl")
    .option('--deployment', "the deployment directory's own chain (the refusals of its front), not a tenant's")
    .action(async (opts: { checkpoints?: string; deployment?: boolean }) => {
      const cfg = opts.deployment ? deployment() : config();
      const path = auditPath(cfg.dataDir);
      // A deployment's own chain starts with its first refusal: none yet is an empty, intact chain.
      if (cfg.state.kind === 'files' && !existsSync(path) && !opts.deployment) {
        console.error(`no audit log at ${path}: nothing was logged in this data directory (is --data-dir right?)`);
        process.exitCode = 2;
        return;
      }
      const file = opts.checkpoints ?? checkpointsPath(cfg.dataDir);
      if (opts.checkpoints && !existsSync(file)) throw new CliError(`no checkpoints file ${file}`);
      const { chain: result, checkpoints: report } = await verifyLogAndCheckpoints(auditFor(cfg.dataDir).lines(), readCheckpoints(file), () => checkpointKeys(cfg));
      if (!result.ok || !report) {
        console.error(printableLine(`audit log BROKEN at line ${result.problem!.line}: ${result.problem!.reason} (${result.entries} entries verified before it)`));
        process.exitCode = 2;
        return;
      }
      if (!report.ok) {
        console.error(printableLine(`audit log chain intact (${result.entries} entries), but ${report.problem}`));
        process.exitCode = 2;
        return;
      }
      const signed = report.checked ? `; ${report.checked} signed checkpoint(s) agree` : '; no signed checkpoints yet (datastation audit checkpoint)';
      console.log(`audit log intact: ${result.entries} entries, head ${result.head.seq} ${result.head.hash}${signed}`);
    });
  audit
    .command('checkpoint')
    .description("sign the chain head (seq, hash, count, time) with the organisation's key, into <dataDir>/audit/checkpoints.jsonl (keep a copy elsewhere)")
    .action(async () => {
      const cfg = config();
      const checkpoint = await writeCheckpoint(cfg.dataDir, await checkpointSigner(cfg));
      if (!checkpoint) console.log('nothing new to sign: the last checkpoint covers the head (or the log is empty)');
      else console.log(`signed checkpoint: ${checkpoint.entries} entries, head ${checkpoint.seq} ${checkpoint.hash}, in ${checkpointsPath(cfg.dataDir)}`);
    });
  audit
    .command('export')
    .description('entries of one thread or a time window, as JSON lines')
    .option('-t, --thread <id>')
    .option('--from <iso-time>')
    .option('--to <iso-time>')
    .option('--deployment', "the deployment directory's own chain, not a tenant's")
    .action(async (opts: { thread?: string; from?: string; to?: string; deployment?: boolean }) => {
      const filter = { ...(opts.thread ? { thread: opts.thread } : {}), ...(opts.from ? { from: new Date(opts.from) } : {}), ...(opts.to ? { to: new Date(opts.to) } : {}) };
      const cfg = opts.deployment ? deployment() : config();
      for await (const entry of exportAuditLines(auditFor(cfg.dataDir).lines(), filter)) process.stdout.write(safeJson(entry) + '\n');
    });
}
