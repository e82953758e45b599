// `datastation generations list | activate <id> --reason`: the generations on disk, and rolling
// back (or forward) to one of them. A running server picks the switch up at its next poll; the
// admin API's activate route makes it take effect at once.
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { AuditWriteError } from '../audit/index.js';
import { activateGeneration, ActivationError } from '../importer/index.js';
import { importHistory } from '../api/routes/admin-reports.js';
import { CliError } from './errors.js';

export function registerGenerationCommands(program: Command, config: () => Config): void {
  const generations = program.command('generations').description('the dataset generations on disk; roll back or forward to one');
  generations
    .command('list')
    .action(() => {
      const list = importHistory(config().dataDir, undefined);
      if (!list.length) console.log('no generations yet: run "datastation import"');
      for (const g of list) {
        const sources = g.sources.map((s) => `${s.system} ${s.loaded} loaded/${s.quarantined} quarantined${s.importedIn === g.generation ? '' : ` (from ${s.importedIn})`}`).join(', ');
        console.log(`${g.current ? '*' : ' '} ${g.generation}  ${g.createdAt ?? '?'}  ${g.problem ?? sources}`);
      }
    });
  generations
    .command('activate')
    .argument('<id>')
    .requiredOption('-r, --reason <text>', 'why (logged)')
    .action(async (id: string, opts: { reason: string }) => {
      try {
        const { manifest, previous } = await activateGeneration(config().dataDir, id, { actor: `cli:${process.env.USER ?? 'unknown'}`, reason: opts.reason });
        console.log(`CURRENT is now ${manifest.id}${previous ? ` (was ${previous})` : ''}; a running server switches at its next poll`);
      } catch (error) {
        if (error instanceof ActivationError) throw new CliError(error.message);
        if (error instanceof AuditWriteError) throw new CliError(`CURRENT is unchanged: the switch cannot be logged (${error.message})`);
        throw error;
      }
    });
}
