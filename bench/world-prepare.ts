// bench/world.ts's first step in a child process: generate the organisation and import it into the
// data folder. The benchmark process then starts the server with none of the generator's or the
// importer's garbage in its heap (hundreds of MB that no major GC had collected yet made every
// young-generation collection of the measured phase dearer, as a freshly started `serve` is not).
//   node dist/bench/world-prepare.js <root> <employees> <config overrides as JSON>
import { join } from 'node:path';
import { generate } from '../examples/generator/generate.js';
import { loadConfig } from '../src/config/index.js';
import { runImport } from '../src/importer/index.js';

const [root, employees, overrides] = process.argv.slice(2) as [string, string, string];
generate(join(root, 'exports'), { employees: Number(employees), clients: Math.round((Number(employees) * 4) / 3), years: [2024, 2025], seed: 1, messy: false });
const config = loadConfig({ env: {}, overrides: { dataDir: join(root, 'data'), ...(JSON.parse(overrides) as Record<string, unknown>) } });
await runImport(config, { inputs: [join(root, 'exports')] });
