// `datastation query` and `datastation profiles …`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { recordActivity } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { checkCoverage, installProfile, inferParameter, ProfileError, readHeader, valuesFor, type CoverageRow, type CoverageStatus, type Indicator } from '../profiles/index.js';
import { findCommentedBinds, prepareQuery, QueryError, type ResultFormat } from '../query/index.js';
import { openEngine, parseParams } from './engine.js';
import { formatJsonTable } from './table.js';
import { CliError } from './errors.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];


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
    .description('install a profile from its published folder (queries/, shapes/, README.md) or a folder of .rq files, copied unmodified into the data directory')
    .argument('<dir>')
    .option('--title <title>', 'profile title, when neither the queries nor the README name it')
    .option('--version <x.y.z>', 'profile version, when neither the queries nor the README name it')
    .action((dir: string, opts: { title?: string; version?: string }) => {
      const cfg = config();
      const m = installProfile(dir, join(cfg.dataDir, 'profiles'), opts);
      console.log(`installed ${m.id} ${m.version}: ${m.indicators.length} indicators, ontology ≥ ${m.ontology.min}`);
    });
  profiles
    .command('check')
    .description('run every indicator against the current dataset: whether each answer carries data, and what the dataset lacks when not')
    .option('-p, --profile <id>', 'only this profile')
    .option('--param <name=value>', 'parameter value for every indicator that declares it (repeatable)', collect, [])
    .option('--deadline <ms>', 'per indicator')
    .action(async (opts: { profile?: string; param: string[]; deadline?: string }) => {
      const cfg = config();
      const given = parseParams(opts.param);
      const { registry, pool, generation } = await openEngine(cfg);
      try {
        const indicators: Indicator[] = registry
          .list()
          .filter((p) => !opts.profile || p.id === opts.profile)
          .flatMap((p) => p.indicators.map((i) => registry.indicator(p.id, i.id, p.version)));
        if (!indicators.length) throw new ProfileError('unknown_indicator', opts.profile ? `profile ${opts.profile} is not installed` : 'no profile is installed');
        // Refusals before any work: a name no indicator declares, a parameter nobody gave a value.
        const declared = new Set(indicators.flatMap((i) => i.parameters.map((p) => p.name)));
        const unknown = Object.keys(given).filter((n) => !declared.has(n));
        if (unknown.length) throw new QueryError('unknown_parameter', `${unknown.join(', ')} (declared: ${[...declared].sort().join(', ') || 'none'})`);
        for (const ind of indicators) {
          const lacking = ind.parameters.find((p) => given[p.name] === undefined && p.example === undefined);
          if (lacking) throw new QueryError('missing_parameter', `${ind.profile.id} ${ind.id} needs ${lacking.name}: give --param ${lacking.name}=…`);
        }
        const rows = await checkCoverage(indicators, pool, given, opts.deadline ? { deadlineMs: Number(opts.deadline) } : {});
        console.log(formatCoverage(rows, indicators, generation));
        console.log(`workers replaced: ${pool.replaced}`);
        recordActivity(cfg.dataDir, {
          actor: `cli:${process.env.USER ?? 'unknown'}`,
          activity: 'profiles-check',
          generation,
          ...(opts.profile ? { profile: opts.profile } : {}),
          parameters: given,
          indicators: rows.map((r) => ({ profile: r.profile, version: r.version, indicator: r.indicator, status: r.status, rows: r.rows })),
        });
        if (rows.some((r) => r.status === 'error')) process.exitCode = 1;
      } finally {
        await pool.close();
      }
    });
}

/** The coverage table: one block per profile, indicators in the profile's order. */
export function formatCoverage(rows: CoverageRow[], indicators: Indicator[], generation: string): string {
  const out = [`Coverage on generation ${generation}`];
  let current = '';
  rows.forEach((r, i) => {
    const ind = indicators[i]!;
    if (`${r.profile}@${r.version}` !== current) {
      current = `${r.profile}@${r.version}`;
      out.push('', `${r.profile} ${r.version} — ${ind.profile.title}`, `  ${'indicator'.padEnd(10)} ${'rows'.padStart(5)}  ${'status'.padEnd(8)} ${'engine ms'.padStart(9)}  parameters`);
    }
    const params = Object.entries(r.parameters).map(([k, v]) => `${k}=${String(v)}`).join(' ') || '-';
    out.push(`  ${r.indicator.padEnd(10)} ${String(r.rows).padStart(5)}  ${r.status.padEnd(8)} ${r.engineMs.toFixed(0).padStart(9)}  ${params}`);
    if (r.error) out.push(`      error: ${r.error}`);
    const m = r.missing;
    if (m && (m.classes.length || m.properties.length || m.terms.length)) {
      const list = (label: string, items: string[]) => (items.length ? `${label} ${items.slice(0, 12).join(', ')}${items.length > 12 ? ` and ${items.length - 12} more` : ''}` : '');
      out.push(`      dataset lacks: ${[list('classes', m.classes), list('properties', m.properties), list('terms', m.terms)].filter(Boolean).join('; ')}`);
    } else if (m) out.push('      dataset holds every class, property and term the query reads (the values or their combination do not match)');
  });
  const count = (s: CoverageStatus) => rows.filter((r) => r.status === s).length;
  out.push('', `${rows.length} indicators: ${count('data')} with data, ${count('no data')} no data, ${count('empty')} empty, ${count('error')} errors`);
  return out.join('\n');
}
