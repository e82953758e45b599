// The RDF source, judged by material no one here wrote: the rdbp regional test set (ONZ Turtle)
// imported with `datastation import` and queried with `datastation query` reproduces its
// published results: 76 and 100 rows, and the three analyses row for row (2, 17, 13).
// Runs when ../shared/conformance is beside the project (CI); skipped elsewhere.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { tempDir } from '../helpers.js';

const RDBP = join(packageRoot(), '..', 'shared', 'conformance', 'rdbp');
const cli = (dataDir: string, ...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src', 'cli', 'main.ts'), '--data-dir', dataDir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** CSV rows without the header, as arrays of values (the published headers differ in spelling). */
function rows(csv: string): string[] {
  return csv.replace(/\r/g, '').trim().split('\n').slice(1).sort();
}

describe.skipIf(!existsSync(RDBP))('rdbp through datastation import + query', () => {
  it('query_vvt on testdata_VVT: 76 rows', () => {
    const dir = tempDir();
    cli(dir, 'import', '-q', join(RDBP, 'data', 'testdata_VVT.ttl'));
    expect(rows(cli(dir, 'query', join(RDBP, 'queries', 'query_vvt.rq'), '-f', 'csv'))).toHaveLength(76);
  }, 60_000);

  it('query_ha_msz on testdata_HA_MSZ: 100 rows', () => {
    const dir = tempDir();
    cli(dir, 'import', '-q', join(RDBP, 'data', 'testdata_HA_MSZ.ttl'));
    expect(rows(cli(dir, 'query', join(RDBP, 'queries', 'query_ha_msz.rq'), '-f', 'csv'))).toHaveLength(100);
  }, 60_000);

  it('the three analyses on both files equal the published outcomes row for row', () => {
    const dir = tempDir();
    cli(dir, 'import', '-q', join(RDBP, 'data', 'testdata_VVT.ttl'), join(RDBP, 'data', 'testdata_HA_MSZ.ttl'));
    for (const [query, outcome, count] of [['analyse_doorstroom', 'doorstroom', 2], ['analyse_instroom', 'instroom', 17], ['analyse_uitstroom', 'uitstroom', 13]] as const) {
      const ours = rows(cli(dir, 'query', join(RDBP, 'queries', `${query}.rq`), '-f', 'csv'));
      expect(ours, query).toEqual(rows(readFileSync(join(RDBP, 'voorbeelduitkomsten', `${outcome}.csv`), 'utf8')));
      expect(ours).toHaveLength(count);
    }
  }, 120_000);
});
