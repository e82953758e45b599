// Runs one import in its own process and prints its outcome and peak RSS as JSON (import-abuse.test.ts).
import { loadConfig } from '../../../src/config/index.js';
import { runImport } from '../../../src/importer/index.js';

const [dataDir, input, flag] = process.argv.slice(2) as [string, string, string | undefined];
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
try {
  const summary = await runImport(loadConfig({ env: {}, overrides: { dataDir } }), { inputs: [input], allowShrink: flag === '--allow-shrink' });
  console.log(JSON.stringify({ ok: true, generation: summary.generation, rowsQuarantined: summary.rowsQuarantined, peakRssMb: peakRssMb() }));
} catch (error) {
  const e = error as Error & { code?: string; reportDir?: string };
  console.log(JSON.stringify({ ok: false, code: e.code, message: e.message, reportDir: e.reportDir, peakRssMb: peakRssMb() }));
}
