// `datastation release …` (the manual-release queue, the same one the admin API works on) and
// `datastation audit verify|export`.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { AuditWriteError, auditPath, checkAgainstCheckpoints, checkpointsPath, exportAuditLog, readCheckpoints, verifyAuditLog, writeCheckpoint } from '../audit/index.js';
import { checkpointKeys, checkpointSigner } from '../trust/index.js';
import { CliError } from './errors.js';
import { ReleaseQueue, type ReleaseState } from '../exchange/index.js';
import { printableLine, safeJson } from './sanitize.js';

export function registerOperatorCommands(program: Command, config: () => Config): void {
  const release = program.command('release').description('answers waiting for manual release (the running server delivers decided ones)');
  release
    .command('list')
    .option('-s, --state <state>', 'pending | approved | rejected')
    .action((opts: { state?: ReleaseState }) => {
      const items = new ReleaseQueue(config().dataDir).list(opts.state);
      if (!items.length) console.log('nothing in the release queue');
      for (const i of items) {
        // Requester, profile and indicator names come from the request: printed inert.
        const questions = i.questions.map((q) => `${q.profile} ${q.version} ${q.id} (${q.rows} rows)`).join(', ');
        console.log(printableLine(`${i.id}  ${i.state}${i.delivery ? `/${i.delivery}` : ''}  ${i.received}  ${i.requester}  ${questions}`, 4000));
      }
    });
  release
    .command('show')
    .argument('<id>')
    .action((id: string) => {
      const item = new ReleaseQueue(config().dataDir).get(id);
      console.log(safeJson(item, 2));
    });
  for (const decision of ['approve', 'reject'] as const) {
    release
      .command(decision)
      .argument('<id>')
      .option('-r, --reason <text>', 'told to the requester when rejecting')
      .action(async (id: string, opts: { reason?: string }) => {
        const cfg = config();
        const by = `cli:${process.env.USER ?? 'unknown'}`;
        // logged before it takes effect: an audit failure leaves the item pending
        let item;
        try {
          item = await new ReleaseQueue(cfg.dataDir).decide(id, { decision: decision === 'approve' ? 'approved' : 'rejected', by, ...(opts.reason ? { reason: opts.reason } : {}) });
        } catch (error) {
          if (!(error instanceof AuditWriteError)) throw error;
          console.error(printableLine(`datastation: ${id} is still pending: the decision cannot be logged (${error.message})`));
          process.exitCode = 2;
          return;
        }
        console.log(`${id} ${item.state}; the server delivers it to ${printableLine(item.reply_url, 500)}`);
      });
  }

  const audit = program.command('audit').description('the NEN 7513 activity log');
  audit
    .command('verify')
    .description('recompute the hash chain and check it against the signed checkpoints; exit 2 at the first edited, removed or reordered entry, or a cut or rewritten log')
    .option('--checkpoints <file>', "signed checkpoints to check against (an auditor's copy); default <dataDir>/audit/checkpoints.jsonl")
    .action(async (opts: { checkpoints?: string }) => {
      const cfg = config();
      const path = auditPath(cfg.dataDir);
      if (!existsSync(path)) {
        console.error(`no audit log at ${path}: nothing was logged in this data directory (is --data-dir right?)`);
        process.exitCode = 2;
        return;
      }
      const file = opts.checkpoints ?? checkpointsPath(cfg.dataDir);
      if (opts.checkpoints && !existsSync(file)) throw new CliError(`no checkpoints file ${file}`);
      const checkpoints = readCheckpoints(file);
      const result = await verifyAuditLog(path, new Set(checkpoints.map((c) => c.seq).filter((n) => Number.isInteger(n))));
      if (!result.ok) {
        console.error(printableLine(`audit log BROKEN at line ${result.problem!.line}: ${result.problem!.reason} (${result.entries} entries verified before it)`));
        process.exitCode = 2;
        return;
      }
      const report = checkpoints.length ? await checkAgainstCheckpoints(result, checkpoints, checkpointKeys(cfg)) : { ok: true, checked: 0 };
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
    .action(async (opts: { thread?: string; from?: string; to?: string }) => {
      const filter = { ...(opts.thread ? { thread: opts.thread } : {}), ...(opts.from ? { from: new Date(opts.from) } : {}), ...(opts.to ? { to: new Date(opts.to) } : {}) };
      for await (const entry of exportAuditLog(auditPath(config().dataDir), filter)) process.stdout.write(safeJson(entry) + '\n');
    });
}
