// `datastation release …` (the manual-release queue, the same one the admin API works on) and
// `datastation audit verify|export`.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { AuditWriteError, auditPath, exportAuditLog, verifyAuditLog } from '../audit/index.js';
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
    .description('recompute the hash chain; exit 2 at the first edited, removed or reordered entry')
    .action(async () => {
      const path = auditPath(config().dataDir);
      if (!existsSync(path)) {
        console.error(`no audit log at ${path}: nothing was logged in this data directory (is --data-dir right?)`);
        process.exitCode = 2;
        return;
      }
      const result = await verifyAuditLog(path);
      if (result.ok) console.log(`audit log intact: ${result.entries} entries, head ${result.head.seq} ${result.head.hash} (record this head elsewhere to detect truncation)`);
      else {
        console.error(printableLine(`audit log BROKEN at line ${result.problem!.line}: ${result.problem!.reason} (${result.entries} entries verified before it)`));
        process.exitCode = 2;
      }
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
