// `datastation tenants add|list|remove` on a deployment directory (--data-dir), and `--tenant <id>`
// for every other command: the tenant's own data directory and settings. Refusals exit 2.
import type { Command } from 'commander';
import { AuditWriteError } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { addTenant, deploymentConfig, isDeployment, listTenants, removeTenant, tenantConfig, TenantError } from '../tenants/index.js';
import { CliError } from './errors.js';

const cliActor = () => `cli:${process.env.USER ?? 'unknown'}`;

/** Commands that act on the deployment itself rather than on one organisation (`state migrate`: the schema is the deployment's, every tenant's rows in it). */
const DEPLOYMENT_COMMANDS = new Set(['tenants', 'serve', 'healthcheck', 'demo', 'state']);

function asRefusal(error: unknown): never {
  if (error instanceof TenantError) throw new CliError(error.message, error.code);
  if (error instanceof AuditWriteError) throw new CliError("the tenant's activity log cannot be written, so nothing was changed", 'audit_unavailable');
  throw error;
}

function refusal<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    return asRefusal(error);
  }
}

/**
 * The configuration a command works on: the tenant's with --tenant, the deployment's for the
 * deployment commands, and a refusal for an organisation's command on a deployment without --tenant.
 */
export function configForCommand(base: Config, tenant: string | undefined, command: string | undefined): Config {
  if (tenant !== undefined) {
    if (!isDeployment(base.dataDir)) throw new CliError(`--tenant needs a deployment directory (with tenants.json); ${base.dataDir} is not one`, 'not_a_deployment');
    return refusal(() => tenantConfig(base, tenant));
  }
  if (command && !DEPLOYMENT_COMMANDS.has(command) && isDeployment(base.dataDir)) {
    throw new CliError(`${base.dataDir} is a deployment of several organisations: pass --tenant <id> (see "datastation tenants list")`, 'tenant_required');
  }
  // The deployment's own state (its audit chain of refusals) is keyed `_deployment`, never a tenant's.
  return isDeployment(base.dataDir) ? deploymentConfig(base) : base;
}

/** `audit verify --deployment` and the like: the deployment's own chain, never a tenant's. */
export function deploymentConfigForCommand(base: Config, tenant: string | undefined): Config {
  if (tenant !== undefined) throw new CliError('--deployment is the deployment\'s own audit chain: leave out --tenant', 'bad_tenant');
  if (!isDeployment(base.dataDir)) throw new CliError(`--deployment needs a deployment directory (with tenants.json); ${base.dataDir} is not one`, 'not_a_deployment');
  return deploymentConfig(base);
}

export function registerTenantCommands(program: Command, config: () => Config): void {
  const tenants = program.command('tenants').description('the care organisations of a deployment directory (--data-dir): add, list, remove');
  tenants
    .command('add')
    .description("add an organisation: its data directory, DID and keys, trust list and admin token; logged in its own audit chain")
    .argument('<id>', 'lower-case letters, digits and hyphens; its URLs are /tenants/<id>/…')
    .option('--did <did>', 'its did:web (default did:web:<domain>:tenants:<id>, served at /tenants/<id>/did.json)')
    .option('--trust-list <file>', 'its trust list (default: the example, to edit)')
    .option('--name <name>', 'the organisation name (with --kvk and --iri-base: written to its tenant.yaml)')
    .option('--kvk <number>', 'KvK number')
    .option('--iri-base <iri>', 'base for IRIs minted from source keys')
    .option('--nuts-did <did>', "its DID at the Nuts node (trust.mode nuts, over the deployment's trust.nuts): requests are routed by it")
    .option('--nuts-subject <id>', 'Nuts v6: its subject at the node')
    .action(async (id: string, opts: { did?: string; trustList?: string; name?: string; kvk?: string; iriBase?: string; nutsDid?: string; nutsSubject?: string }) => {
      if (opts.nutsSubject && !opts.nutsDid) throw new CliError('--nuts-subject goes with --nuts-did');
      const organisation = opts.name || opts.kvk || opts.iriBase ? organisationOf(opts) : undefined;
      const { entry, created } = await addTenant(config(), id, {
        actor: cliActor(),
        ...(opts.did ? { did: opts.did } : {}),
        ...(opts.trustList ? { trustList: opts.trustList } : {}),
        ...(organisation ? { organisation } : {}),
        ...(opts.nutsDid ? { nuts: { did: opts.nutsDid, ...(opts.nutsSubject ? { subjectId: opts.nutsSubject } : {}) } } : {}),
      }).catch(asRefusal);
      for (const c of created) console.log(`created ${c}`);
      console.log(`tenant ${entry.id} added: ${entry.did}`);
    });
  tenants
    .command('list')
    .description('the organisations of this deployment: id, DID, served generation, open releases')
    .option('--json', 'as JSON')
    .action((opts: { json?: boolean }) => {
      const cfg = config();
      const list = refusal(() => listTenants(cfg));
      if (opts.json) return console.log(JSON.stringify(list, null, 2));
      if (!list.length) return console.log(isDeployment(cfg.dataDir) ? '(no tenants)' : `${cfg.dataDir} is not a deployment directory (no tenants.json)`);
      for (const t of list) console.log(`${t.id}  ${t.did}${t.nutsDid ? ` (Nuts: ${t.nutsDid})` : ''}  generation ${t.generation ?? '(none)'}  open releases ${t.openReleases}  added ${t.addedAt}`);
    });
  tenants
    .command('remove')
    .description('stop serving an organisation (refused while answers wait, unless --force); its folder is kept under removed/')
    .argument('<id>')
    .option('--force', 'remove even with answers not yet released or delivered')
    .option('--reason <text>', 'why (kept in its audit chain)')
    .action(async (id: string, opts: { force?: boolean; reason?: string }) => {
      const { movedTo } = await removeTenant(config(), id, { force: opts.force ?? false, actor: cliActor(), ...(opts.reason ? { reason: opts.reason.slice(0, 500) } : {}) }).catch(asRefusal);
      console.log(`tenant ${id} removed; its data directory (audit log included) is kept at ${movedTo}`);
    });
}

function organisationOf(opts: { name?: string; kvk?: string; iriBase?: string }) {
  if (!opts.name || !opts.kvk || !opts.iriBase) throw new CliError('--name, --kvk and --iri-base go together');
  if (!/^[0-9]{8}$/.test(opts.kvk)) throw new CliError('a KvK number is 8 digits');
  if (!/^https?:\/\/\S+[/#]$/.test(opts.iriBase)) throw new CliError('--iri-base is a URL ending in / or #');
  return { name: opts.name, kvk: opts.kvk, iriBase: opts.iriBase };
}
