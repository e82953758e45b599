// Generate an organisation's exports: `npm run examples -- --employees 10000 --out /tmp/org10k`.
import { Command } from 'commander';
import { generate } from './generate.js';

export const DE_LINDE = { employees: 150, clients: 200, years: [2024, 2025] as [number, number], seed: 20261122, messy: true };

const program = new Command()
  .name('generate-organisation')
  .description('Write deterministic exports (AFAS HR, ONS ECD, Exact finance) of a fictitious nursing home')
  .requiredOption('--out <dir>', 'output folder')
  .option('--employees <n>', 'number of employees', String(DE_LINDE.employees))
  .option('--clients <n>', 'number of clients (default: 4/3 × employees)')
  .option('--seed <n>', 'random seed', String(DE_LINDE.seed))
  .option('--clean', 'no messy rows (benchmarks)', false)
  .action((opts: { out: string; employees: string; clients?: string; seed: string; clean: boolean }) => {
    const employees = Number(opts.employees);
    const result = generate(opts.out, {
      employees,
      clients: opts.clients ? Number(opts.clients) : Math.round((employees * 4) / 3),
      years: DE_LINDE.years,
      seed: Number(opts.seed),
      messy: !opts.clean,
    });
    console.log(`wrote ${result.files.length} files, ${result.rows} rows to ${result.dir}`);
  });

program.parse();
