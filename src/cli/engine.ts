// The question side for the CLI (and later the server): profiles registry + worker pool on the
// current generation.
import { join } from 'node:path';
import { packageRoot, type Config } from '../config/index.js';
import { ProfileRegistry } from '../profiles/index.js';
import { QueryPool } from '../query/index.js';
import { latestGoodGeneration } from '../store/index.js';
import { CliError } from './errors.js';

export function profileRoots(config: Config): string[] {
  return [join(packageRoot(), 'profiles'), join(config.dataDir, 'profiles')];
}

export async function openEngine(config: Config, workers = config.query.workers): Promise<{ registry: ProfileRegistry; pool: QueryPool; generation: string }> {
  const registry = ProfileRegistry.load(profileRoots(config));
  const manifest = await latestGoodGeneration(config.dataDir, (id, e) => console.error(`skipping generation ${id}: ${e.message}`));
  const pool = new QueryPool({ dataDir: config.dataDir, size: workers, deadlineMs: config.query.deadlineMs, rowCap: config.query.rowCap });
  await pool.load(manifest.id);
  return { registry, pool, generation: manifest.id };
}

/** `--param k=v` (repeatable) → values; numbers stay strings, the declaration types them. */
export function parseParams(pairs: string[] = []): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new CliError(`--param expects name=value, got "${pair}"`);
    values[pair.slice(0, eq).replace(/^\?/, '')] = pair.slice(eq + 1);
  }
  return values;
}
