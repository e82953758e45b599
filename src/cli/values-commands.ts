// `datastation values kinds|set|list|remove`: figures no source system holds, entered by hand
// with period, unit and reason; each change is logged and makes a new generation.
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { ValueError, VALUE_KINDS, listValuesLogged, removeValue, setValue } from '../values/index.js';
import { CliError } from './errors.js';

const actor = () => `cli:${process.env.USER ?? 'unknown'}`;

async function refusing<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ValueError) throw new CliError(error.message);
    throw error;
  }
}

export function registerValuesCommands(program: Command, config: () => Config): void {
  const values = program.command('values').description('figures no source system holds, entered by hand (KIK-V calculated values)');
  values.command('kinds').description('the kinds of value and the indicators that read them').action(() => {
    for (const k of VALUE_KINDS) console.log(`${k.kind}  ${k.units.join('|')}  ${k.title}  (read by ${k.readBy.join(', ')})`);
  });
  values.command('set').description('enter a value: a new generation holds it')
    .argument('<kind>').argument('<value>', 'a number, dot as decimal separator')
    .requiredOption('--from <date>', 'period start, yyyy-MM-dd').requiredOption('--to <date>', 'period end, yyyy-MM-dd')
    .requiredOption('--reason <text>', 'why, and where the figure comes from')
    .option('--unit <unit>', 'unit', 'EUR').option('--source <text>', 'the document or calculation it comes from')
    .action(async (kind: string, value: string, opts: { from: string; to: string; reason: string; unit: string; source?: string }) => {
      const change = await refusing(() => setValue(config(), { kind, value, unit: opts.unit, reason: opts.reason, period: { start: opts.from, end: opts.to }, ...(opts.source ? { source: opts.source } : {}) }, actor()));
      console.log(`set ${change.value.id}: ${kind} ${change.value.value} ${change.value.unit} for ${opts.from}..${opts.to}; generation ${change.generation}`);
    });
  values.command('list').description('the values in force (--all: removed ones too)').option('--all', 'removed values too').option('--json', 'as JSON')
    .action((opts: { all?: boolean; json?: boolean }) => {
      const list = listValuesLogged(config(), actor(), { all: opts.all ?? false });
      if (opts.json) return console.log(JSON.stringify(list, null, 2));
      if (!list.length) return console.log('no manual values');
      for (const v of list) console.log(`${v.id}  ${v.kind}  ${v.value} ${v.unit}  ${v.period.start}..${v.period.end}  by ${v.by} ${v.at}: ${v.reason}${v.removed ? `  [removed by ${v.removed.by} ${v.removed.at}: ${v.removed.reason}]` : ''}`);
    });
  values.command('remove').description('withdraw a value: a new generation without it').argument('<id>').requiredOption('--reason <text>', 'why')
    .action(async (id: string, opts: { reason: string }) => {
      const change = await refusing(() => removeValue(config(), id, opts.reason, actor()));
      console.log(`removed ${id}; generation ${change.generation}`);
    });
}
