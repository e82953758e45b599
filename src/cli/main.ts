#!/usr/bin/env node
// The `datastation` command.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfig, packageRoot, type Config } from '../config/index.js';
import { runImport } from '../importer/index.js';
import { EmbeddedStore, listGenerations, currentGenerationId } from '../store/index.js';
import { formatSummary } from './summary.js';
import { registerQueryCommands } from './query-commands.js';
import { initIdentity } from '../trust/index.js';
import { describeCliError } from './errors.js';
import { printable } from './sanitize.js';
import { registerCredentialCommands } from './credentials-commands.js';
import { registerServeCommand } from './serve-command.js';
import { registerOperatorCommands } from './operator-commands.js';
import { registerAskCommand } from './ask.js';
import { registerNutsCommands } from './nuts-commands.js';
import { registerConnectionCommands } from './connections-commands.js';
import { registerValuesCommands } from './values-commands.js';
import { registerAccountCommands } from './account-commands.js';
import { registerGenerationCommands } from './generation-commands.js';
import { registerStateCommands } from './state-commands.js';
import { openState } from '../state/index.js';
import { configForCommand, deploymentConfigForCommand, registerTenantCommands } from './tenant-commands.js';
import { runDemo } from './demo.js';
import { adminToken } from '../api/index.js';

// Everything this process creates (data folder, audit log, replay store, keys, generations) is
// the operator's alone: files 0600, folders 0700, whatever the shell's umask.
process.umask(0o077);

interface GlobalOptions {
  config?: string;
  dataDir?: string;
  tenant?: string;
}

const program = new Command()
  .name('datastation')
  .description('KIK-V datastation: a nursing home\'s exports as KIK-V RDF, answering validated questions')
  .option('-c, --config <file>', 'configuration file (YAML/JSON); default $DATASTATION_CONFIG or ./datastation.yaml')
  .option('-d, --data-dir <dir>', 'data directory (overrides the configuration)')
  .option('-t, --tenant <id>', 'the organisation of a deployment directory (see `datastation tenants`) this command acts on');

/** The top-level command being run (a deployment refuses an organisation's command without --tenant). */
let commandName: string | undefined;
program.hook('preAction', (_program, action) => {
  let c = action;
  while (c.parent && c.parent !== program) c = c.parent;
  commandName = c.name();
});

function baseConfig(): Config {
  const opts = program.opts<GlobalOptions>();
  return loadConfig({ ...(opts.config ? { file: opts.config } : {}), overrides: { dataDir: opts.dataDir } });
}

function config(): Config {
  const cfg = configForCommand(baseConfig(), program.opts<GlobalOptions>().tenant, commandName);
  // With state in PostgreSQL, every command's audit entries and release decisions go there (per tenant).
  openState(cfg);
  return cfg;
}

/** A deployment directory's own configuration (`audit verify --deployment`). */
function deploymentConfig(): Config {
  const cfg = deploymentConfigForCommand(baseConfig(), program.opts<GlobalOptions>().tenant);
  openState(cfg);
  return cfg;
}

function initDataDir(cfg: Config): boolean {
  const fresh = !existsSync(cfg.dataDir);
  mkdirSync(join(cfg.dataDir, 'generations'), { recursive: true });
  mkdirSync(join(cfg.dataDir, 'reports'), { recursive: true });
  return fresh;
}

async function importAndReport(cfg: Config, inputs: string[], opts: { source?: string; allowEmpty?: boolean; allowShrink?: boolean; quiet?: boolean }) {
  const summary = await runImport(cfg, {
    inputs,
    ...(opts.source ? { source: opts.source } : {}),
    allowEmpty: opts.allowEmpty ?? false,
    allowShrink: opts.allowShrink ?? false,
    actor: `cli:${process.env.USER ?? 'unknown'}`,
    onProgress: opts.quiet ? undefined : (m) => process.stderr.write(`… ${m}\n`),
  });
  console.log(formatSummary(summary));
  return summary;
}

program
  .command('init')
  .description("create the data directory, the organisation's DID and keys, a trust list (and a datastation.yaml to edit, if none exists)")
  .action(async () => {
    // The file the other commands will read: --config, else $DATASTATION_CONFIG (the image points it into
    // the data volume: its /app is read-only), else ./datastation.yaml.
    const file = resolve(program.opts<GlobalOptions>().config ?? process.env.DATASTATION_CONFIG ?? 'datastation.yaml');
    if (!existsSync(file)) {
      writeFileSync(file, readFileSync(join(packageRoot(), 'datastation.example.yaml'), 'utf8'));
      console.log(`wrote ${file}: set your organisation's name, KvK number, IRI base and domain`);
    }
    const cfg = config();
    initDataDir(cfg);
    const { identity, created } = await initIdentity(cfg);
    for (const c of created) console.log(`created ${c}`);
    if (!existsSync(cfg.trust.trustList!)) {
      // Written, not copied: a copy keeps the package file's mode, past the private umask.
      writeFileSync(cfg.trust.trustList!, readFileSync(join(packageRoot(), 'credentials', 'trust-list.example.yaml')));
      console.log(`created ${cfg.trust.trustList}: add the beheerorganisatie DIDs you trust`);
    }
    adminToken(cfg);
    console.log(`admin API token: $DATASTATION_ADMIN_TOKEN or ${cfg.admin.tokenFile}`);
    console.log(`data directory ${cfg.dataDir} is ready; this datastation is ${identity.did}`);
  });

program
  .command('import')
  .description('import exports (files or folders) as a new generation of the dataset')
  .argument('<inputs...>', 'export files or folders')
  .option('-s, --source <system>', 'only this source system (afas-hr, ons-ecd, exact-fin, …)')
  .option('--allow-empty', 'accept a source that maps to zero rows (clears its previous data; implies --allow-shrink)')
  .option('--allow-shrink', 'accept entities missing from this import, mapping no row, or shrinking beyond import.maxShrinkPercent')
  .option('-q, --quiet', 'no progress lines')
  .action(async (inputs: string[], opts: { source?: string; allowEmpty?: boolean; allowShrink?: boolean; quiet?: boolean }) => {
    const cfg = config();
    initDataDir(cfg);
    await importAndReport(cfg, inputs, opts);
  });

program
  .command('status')
  .description('the generation being served and its sources')
  .action(async () => {
    const cfg = config();
    const store = await EmbeddedStore.open(cfg.dataDir, (id, e) => console.error(`skipping ${id}: ${e.message}`));
    const m = store.manifest;
    console.log(`current generation: ${m.id} (created ${m.createdAt}), ${store.size.toLocaleString('en-US')} triples, CURRENT=${currentGenerationId(cfg.dataDir)}`);
    console.log(`generations on disk: ${listGenerations(cfg.dataDir).join(', ')}`);
    console.log(`ontology: ${Object.entries(m.ontology).map(([k, v]) => `${k.replace(/^.*\//, '')} ${v}`).join(', ')}`);
    for (const s of m.sources) console.log(`  ${s.system}: ${s.rowsMapped} rows from ${s.files.length} file(s), imported ${s.importedAt} in ${s.importedIn}`);
  });

program
  .command('demo')
  .description('the main job on the embedded default: initialise, import the example organisation, serve, and answer credentialed questions end to end')
  .option('--data-dir <dir>', 'data directory for the demo', './data/demo')
  .action(async (opts: { dataDir: string }) => {
    const cfg = loadConfig({ overrides: { dataDir: program.opts<GlobalOptions>().dataDir ?? opts.dataDir } });
    initDataDir(cfg);
    const example = join(packageRoot(), 'examples', 'de-linde');
    console.log(`Importing the example organisation "${cfg.organisation.name}" from ${example}\n`);
    await importAndReport(cfg, [example], { quiet: true });
    await runDemo(cfg);
  });

registerQueryCommands(program, config);
registerCredentialCommands(program, config);
registerServeCommand(program, config);
registerOperatorCommands(program, config, deploymentConfig);
registerAskCommand(program, config);
registerNutsCommands(program, config);
registerConnectionCommands(program, config);
registerValuesCommands(program, config);
registerAccountCommands(program, config);
registerGenerationCommands(program, config);
registerStateCommands(program, config);
registerTenantCommands(program, baseConfig);

program.parseAsync().catch((error: unknown) => {
  const { exitCode, message, stack } = describeCliError(error);
  // a refusal's sentence may quote foreign input (an id, a name, a remote answer)
  console.error(`datastation: ${printable(message, 8000)}`);
  if (stack) console.error(stack);
  process.exitCode = exitCode;
  // A refusal ends the process even when something it started (a worker, a listener) is still open.
  setTimeout(() => process.exit(exitCode), 2000).unref();
});
