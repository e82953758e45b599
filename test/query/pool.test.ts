// The worker pool over real worker threads and a real generation on disk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/importer/index.js';
import { QueryPool, QueryError, prepareQuery, resultset } from '../../src/query/index.js';
import { currentGenerationId } from '../../src/store/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { testConfig, writeFixture } from '../helpers.js';

const config = testConfig();
let pool: QueryPool;

// A cartesian product over the calendar: minutes of work for Oxigraph.
const RUNAWAY = 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }';
const COUNT_HUMANS = 'PREFIX onz-g: <http://purl.org/ozo/onz-g#> SELECT (COUNT(?h) AS ?n) WHERE { ?h a onz-g:Human }';

async function collect(text: string, format: 'json' | 'csv' | 'tsv' = 'json', delayMs = 0): Promise<{ body: string; chunks: number; rows: number }> {
  const prepared = prepareQuery(text, [], {});
  let body = '', chunks = 0;
  const r = await pool.run({ text: prepared.engineText, vars: prepared.vars, format }, async (chunk) => {
    body += chunk;
    chunks++;
    if (delayMs) await new Promise((res) => setTimeout(res, delayMs));
  });
  return { body, chunks, rows: r.rows };
}

beforeAll(async () => {
  await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
  // two warm workers: the deadline test below needs the second one answering at once
  pool = new QueryPool({ dataDir: config.dataDir, size: 2, warm: 2, deadlineMs: 30_000, rowCap: 100_000 });
  await pool.load(currentGenerationId(config.dataDir)!);
});
afterAll(() => pool.close());

describe('query pool', () => {
  it('serialises SPARQL JSON, CSV and TSV', async () => {
    const q = `PREFIX onz-g: <http://purl.org/ozo/onz-g#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
      SELECT ?p ?d ?x WHERE { ?p onz-g:hasDateOfBirth ?d FILTER(STRENDS(STR(?p), "/P1")) BIND("a,\\"b\\"" AS ?x) }`;
    const json = JSON.parse((await collect(q)).body) as unknown;
    expect(json).toEqual({
      head: { vars: ['p', 'd', 'x'] },
      results: { bindings: [{
        p: { type: 'uri', value: 'https://data.zorggroep-delinde.example/id/medewerker/P1' },
        d: { type: 'literal', value: '1980-01-01', datatype: 'http://www.w3.org/2001/XMLSchema#date' },
        x: { type: 'literal', value: 'a,"b"' },
      }] },
    });
    expect((await collect(q, 'csv')).body).toBe('p,d,x\r\nhttps://data.zorggroep-delinde.example/id/medewerker/P1,1980-01-01,"a,""b"""\r\n');
    expect((await collect(q, 'tsv')).body).toBe('?p\t?d\t?x\n<https://data.zorggroep-delinde.example/id/medewerker/P1>\t"1980-01-01"^^<http://www.w3.org/2001/XMLSchema#date>\t"a,\\"b\\""\n');
    expect((await collect('ASK { ?s ?p ?o }')).body).toBe('{"head":{},"boolean":true}');
  });

  it('wraps streamed results in the KIK-V resultset body', async () => {
    const a = await collect(COUNT_HUMANS), b = await collect('ASK { ?s ?p ?o }');
    const body = resultset.open('1.1') + a.body + resultset.next('demo') + b.body + resultset.close();
    expect(JSON.parse(body)).toEqual({ resultset: [
      { id: '1.1', result: { head: { vars: ['n'] }, results: { bindings: [{ n: { type: 'literal', value: '5', datatype: 'http://www.w3.org/2001/XMLSchema#integer' } }] } } },
      { id: 'demo', result: { head: {}, boolean: true } },
    ] });
  });

  it('streams a large result in chunks, holding the next chunk back until the sink is ready', async () => {
    const big = 'PREFIX time: <http://www.w3.org/2006/time#> SELECT ?d ?n WHERE { ?d time:inTemporalPosition/time:numericPosition ?n }';
    const { body, chunks, rows } = await collect(big, 'json', 2);
    expect(rows).toBeGreaterThan(1000);
    expect(chunks).toBeGreaterThan(1);
    expect((JSON.parse(body) as { results: { bindings: unknown[] } }).results.bindings).toHaveLength(rows);
  });

  it('stops a runaway query at its deadline, serves others meanwhile, and replaces the worker', async () => {
    const before = pool.replaced;
    let stoppedAt = 0;
    const runaway = pool.run({ text: RUNAWAY, vars: ['n'], format: 'json', deadlineMs: 3000 }, () => undefined).finally(() => (stoppedAt = Date.now()));
    const other = await collect(COUNT_HUMANS);
    const otherDoneAt = Date.now();
    expect(JSON.parse(other.body)).toMatchObject({ results: { bindings: [{ n: { value: '5' } }] } });
    await expect(runaway).rejects.toMatchObject({ code: 'deadline_exceeded', status: 503 });
    expect(otherDoneAt).toBeLessThan(stoppedAt); // served while the runaway was still running
    expect(pool.replaced).toBe(before + 1);
    // The replacement serves the same generation.
    expect(JSON.parse((await collect(COUNT_HUMANS)).body)).toMatchObject({ results: { bindings: [{ n: { value: '5' } }] } });
  });

  it('refuses results over the row cap', async () => {
    const small = new QueryPool({ dataDir: config.dataDir, size: 1, deadlineMs: 10_000, rowCap: 10 });
    await small.load(currentGenerationId(config.dataDir)!);
    await expect(small.run({ text: 'SELECT * WHERE { ?s ?p ?o }', vars: [], format: 'json' }, () => undefined)).rejects.toBeInstanceOf(QueryError);
    await small.close();
  });

  it('moves every worker to a new generation after an import', async () => {
    await runImport(config, { inputs: [writeFixture({ 'afas-hr/medewerkers.csv': 'Medewerker;Geboortedatum\nP1;1-1-1980\nP9;2-2-1992\n' })], source: 'afas-hr', allowEmpty: true });
    await pool.load(currentGenerationId(config.dataDir)!);
    const results = await Promise.all([collect(COUNT_HUMANS), collect(COUNT_HUMANS)]);
    for (const r of results) expect(JSON.parse(r.body)).toMatchObject({ results: { bindings: [{ n: { value: '2' } }] } });
  });
});
