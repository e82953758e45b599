// `datastation state migrate`: create or update the shared-state tables in PostgreSQL, as the
// owner role (its URL from --owner-url, $DATASTATION_STATE_OWNER_URL or state.migrateUrl).
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { migrate, MIGRATIONS } from '../state/index.js';
import { CliError } from './errors.js';

export function registerStateCommands(program: Command, config: () => Config): void {
  const state = program.command('state').description('shared state in PostgreSQL (config state.kind: postgres)');
  state
    .command('migrate')
    .description('apply the versioned migrations not yet applied (idempotent), granting the app role INSERT and SELECT only on the audit log')
    .option('--owner-url <url>', 'the owner role (default $DATASTATION_STATE_OWNER_URL or state.migrateUrl)')
    .action(async (opts: { ownerUrl?: string }) => {
      const cfg = config();
      if (cfg.state.kind !== 'postgres') throw new CliError('state.kind is files: there is nothing to migrate (set state: { kind: postgres, url: ... })');
      const owner = opts.ownerUrl ?? process.env.DATASTATION_STATE_OWNER_URL ?? cfg.state.migrateUrl;
      if (!owner) throw new CliError('no owner URL: pass --owner-url, set $DATASTATION_STATE_OWNER_URL or state.migrateUrl');
      let applied: number[];
      try {
        applied = await migrate(owner, cfg.state);
      } catch (error) {
        // the driver's message names the server, never the password
        throw new CliError(`the migrations could not be applied: ${(error as Error).message}`);
      }
      const latest = MIGRATIONS.at(-1)!.version;
      console.log(applied.length ? `applied migration(s) ${applied.join(', ')}; schema ${cfg.state.schema} is at version ${latest}` : `schema ${cfg.state.schema} is up to date (version ${latest})`);
    });
}
