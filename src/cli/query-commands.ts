// `datastation query` and `datastation profiles …`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { recordActivity } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { installProfile, inferParameter, readHeader, type Indicator } from '../profiles/index.js';
import { findCommentedBinds, prepareQuery, QueryError, type ParameterSpec, type ResultFormat } from '../query/index.js';
import { openEngine, parseParams } from './engine.js';
import { formatJsonTable } from './table.js';
import { CliError } from './errors.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Values for an indicator: the ones given, else each parameter's example. */
function valuesFor(parameters: ParameterSpec[], given: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(parameters.map((p) => [p.name, given[p.name] ?? p.example]));
}

export function registerQueryCommands(program: Command, config: () => Config): void {
  program
    .command('query')
    .description('run a query against the current generation: a .rq file, or a profile indicator')
    .argument('[file]', 'a .rq file (the organisation\'s own query)')
    .option('-p, --profile <id>', 'profile id (with --indicator)')
    .option('-i, --indicator <id>', 'indicator id')
    .option('--profile-version <v>', 'profile version (default: newest)')
    .option('--param <name=value>', 'parameter value (repeatable)', collect, [])
    .option('-f, --format <format>', 'json | csv | tsv | table', 'table')
    .action(async (file: string | undefined, opts: { profile?: string; indicator?: string; profileVersion?: string; param: string[]; format: string }) => {
      const cfg = config();
      const { registry, pool } = await openEngine(cfg, 1);
      try {
        let text: string, declared;
        if (opts.profile && opts.indicator) {
          const ind = registry.indicator(opts.profile, opts.indicator, opts.profileVersion);
          [text, declared] = [ind.text, ind.parameters];
        } else if (file) {
          text = readFileSync(file, 'utf8');
          const examples = new Map(findCommentedBinds(text).map((b) => [b.name, b.expression] as const));
          declared = readHeader(text).parameters.map((p) => inferParameter(p, examples.get(p)));
        } else throw new CliError('give a .rq file or --profile and --indicator');
        const prepared = prepareQuery(text, declared, valuesFor(declared, parseParams(opts.param)), { maxQueryBytes: cfg.query.maxQueryBytes, maxDepth: cfg.query.maxDepth });
        const table = opts.format === 'table';
        const format = (table ? 'json' : opts.format) as ResultFormat;
        if (!['json', 'csv', 'tsv'].includes(format)) throw new CliError(`unknown format ${opts.format}; use json, csv, tsv or table`);
        let collected = '';
        const result = await pool.run({ text: prepared.engineText, vars: prepared.vars, format }, (chunk) => {
          if (table) collected += chunk;
          else if (!process.stdout.write(chunk)) return new Promise<void>((r) => process.stdout.once('drain', () => r()));
        });
        if (table) console.log(formatJsonTable(collected));
        recordActivity(cfg.dataDir, {
          actor: `cli:${process.env.USER ?? 'unknown'}`,
          activity: 'query',
          ...(opts.profile ? { profile: opts.profile, indicator: opts.indicator } : { file }),
          parameters: parseParams(opts.param),
          text: prepared.text,
          rows: result.rows,
          engineMs: Math.round(result.engineMs),
        });
        console.error(`${result.rows} row(s), engine ${result.engineMs.toFixed(0)} ms, total ${result.totalMs.toFixed(0)} ms`);
        if (prepared.unusedParameters.length) console.error(`note: ${prepared.unusedParameters.join(', ')} declared but not used by this query`);
      } finally {
        await pool.close();
      }
    });

  const profiles = program.command('profiles').description('the uitwisselprofielen this datastation serves');
  profiles
    .command('list')
    .description('profiles, versions, ontology ranges and indicators')
    .action(async () => {
      const { registry, pool } = await openEngine(config(), 1);
      await pool.close();
      for (const p of registry.list()) console.log(`${p.id} ${p.version} (ontology ≥ ${p.ontology.min}): ${p.indicators.length} indicator(s) — ${p.title}`);
    });
  profiles
    .command('add')
    .description('install a profile from a folder of official .rq files (copied unmodified into the data directory)')
    .argument('<dir>')
    .action((dir: string) => {
      const cfg = config();
      const m = installProfile(dir, join(cfg.dataDir, 'profiles'));
      console.log(`installed ${m.id} ${m.version}: ${m.indicators.length} indicators, ontology ≥ ${m.ontology.min}`);
    });
  profiles
    .command('check')
    .description('run every indicator against the current dataset and print a coverage table')
    .option('-p, --profile <id>', 'only this profile')
    .option('--param <name=value>', 'parameter value for every indicator that declares it (repeatable)', collect, [])
    .option('--deadline <ms>', 'per indicator')
    .action(async (opts: { profile?: string; param: string[]; deadline?: string }) => {
      const cfg = config();
      const { registry, pool, generation } = await openEngine(cfg);
      const given = parseParams(opts.param);
      const indicators: Indicator[] = registry
        .list()
        .filter((p) => !opts.profile || p.id === opts.profile)
        .flatMap((p) => p.indicators.map((i) => registry.indicator(p.id, i.id, p.version)));
      console.log(`Coverage on generation ${generation}\n`);
      console.log(`${'profile'.padEnd(28)} ${'indicator'.padEnd(16)} ${'rows'.padStart(5)}  ${'status'.padEnd(22)} ${'engine ms'.padStart(9)}`);
      const counts = { rows: 0, empty: 0, error: 0 };
      await Promise.all(
        indicators.map(async (ind) => {
          let status: string, rows = 0, ms = 0;
          try {
            const prepared = prepareQuery(ind.text, ind.parameters, valuesFor(ind.parameters, given));
            const r = await pool.run({ text: prepared.engineText, vars: prepared.vars, format: 'json', ...(opts.deadline ? { deadlineMs: Number(opts.deadline) } : {}) }, () => undefined);
            rows = r.rows;
            ms = r.engineMs;
            status = rows ? 'rows' : 'empty';
          } catch (error) {
            status = `error: ${error instanceof QueryError ? error.code : (error as Error).message.slice(0, 40)}`;
          }
          counts[status === 'rows' ? 'rows' : status === 'empty' ? 'empty' : 'error']++;
          console.log(`${ind.profile.id.slice(0, 28).padEnd(28)} ${ind.id.padEnd(16)} ${String(rows).padStart(5)}  ${status.padEnd(22)} ${ms.toFixed(0).padStart(7)}`);
        }),
      );
      console.log(`\n${indicators.length} indicators: ${counts.rows} with rows, ${counts.empty} empty, ${counts.error} errors; workers replaced: ${pool.replaced}`);
      await pool.close();
    });
}
