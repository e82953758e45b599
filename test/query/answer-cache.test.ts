// The answer cache: a repeated deterministic question on the same generation is answered without
// the engine; a new generation, a non-deterministic query, a large result or a zero budget are not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/importer/index.js';
import { AnswerCache, deterministic } from '../../src/query/answer-cache.js';
import { QueryPool, prepareQuery } from '../../src/query/index.js';
import { currentGenerationId } from '../../src/store/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { testConfig, writeFixture } from '../helpers.js';

const COUNT_HUMANS = 'PREFIX onz-g: <http://purl.org/ozo/onz-g#> SELECT (COUNT(?h) AS ?n) WHERE { ?h a onz-g:Human }';

describe('answer cache (unit)', () => {
  const request = (text: string) => ({ text, format: 'json', vars: ['n'] });

  it('keeps answers of the generation served, forgets them when another is served', () => {
    const cache = new AnswerCache(1024 * 1024);
    cache.serve('g1');
    const key = cache.key('g1', request('SELECT * {}'));
    cache.set(key, 'g1', { data: '{}', rows: 0, engineMs: 1 });
    expect(cache.get(key)?.data).toBe('{}');
    cache.serve('g2');
    expect(cache.get(key)).toBeUndefined();
    // an answer of g1 arriving after g2 is served is not kept
    cache.set(key, 'g1', { data: '{}', rows: 0, engineMs: 1 });
    expect(cache.size).toBe(0);
    expect(cache.key('g1', request('SELECT * {}'))).not.toBe(cache.key('g2', request('SELECT * {}')));
    expect(cache.key('g2', request('SELECT * {}'))).not.toBe(cache.key('g2', { ...request('SELECT * {}'), format: 'csv' }));
  });

  it('stays within its byte budget, least recently used first, and refuses entries over the entry cap', () => {
    const cache = new AnswerCache(4 * 1024, 2 * 1024);
    cache.serve('g');
    const keys = ['a', 'b', 'c', 'd'].map((q) => cache.key('g', request(`SELECT * { ?${q} ?p ?o }`))!);
    for (const k of keys.slice(0, 3)) cache.set(k, 'g', { data: 'x'.repeat(600), rows: 1, engineMs: 1 });
    expect(cache.get(keys[0])).toBeDefined(); // a is now the most recently used
    cache.set(keys[3], 'g', { data: 'x'.repeat(600), rows: 1, engineMs: 1 }); // over 4 KiB: b goes
    expect(cache.get(keys[1])).toBeUndefined();
    expect(cache.get(keys[0])).toBeDefined();
    expect(cache.get(keys[3])).toBeDefined();
    const big = cache.key('g', request('SELECT * { ?big ?p ?o }'));
    cache.set(big, 'g', { data: 'x'.repeat(1500), rows: 1, engineMs: 1 });
    expect(cache.get(big)).toBeUndefined();
  });

  it('keeps no answer of a query that is not deterministic, nor any with a zero budget', () => {
    for (const f of ['NOW()', 'rand()', 'UUID()', 'STRUUID ()', 'BNODE("x")']) expect(deterministic(`SELECT (${f} AS ?x) {}`)).toBe(false);
    expect(deterministic(COUNT_HUMANS)).toBe(true);
    const cache = new AnswerCache(1024);
    cache.serve('g');
    expect(cache.key('g', request('SELECT (NOW() AS ?n) {}'))).toBeUndefined();
    const off = new AnswerCache(0);
    off.serve('g');
    expect(off.key('g', request(COUNT_HUMANS))).toBeUndefined();
  });
});

describe('answer cache in the query pool', () => {
  const config = testConfig();
  let pool: QueryPool;
  beforeAll(async () => {
    await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
    pool = new QueryPool({ dataDir: config.dataDir, size: 1, deadlineMs: 30_000, rowCap: 100_000, answerCacheBytes: 1024 * 1024 });
    await pool.load(currentGenerationId(config.dataDir)!);
  });
  afterAll(() => pool.close());

  async function ask(text: string) {
    const prepared = prepareQuery(text, [], {});
    let body = '';
    const seen: { rows: number; cached?: true }[] = [];
    const r = await pool.run({ text: prepared.engineText, vars: prepared.vars, format: 'json', onResult: (info) => void seen.push(info) }, (chunk) => void (body += chunk));
    return { body, r, seen };
  }

  it('answers a repeated question from the cache with the same body, and says so', async () => {
    const first = await ask(COUNT_HUMANS);
    const second = await ask(COUNT_HUMANS);
    expect(first.r.cached).toBeUndefined();
    expect(second.r.cached).toBe(true);
    expect(second.body).toBe(first.body);
    expect(second.r.rows).toBe(first.r.rows);
    expect(second.seen).toEqual([{ rows: 1, engineMs: first.r.engineMs, cached: true }]);
  });

  it('runs the engine again for a non-deterministic query and after a new generation', async () => {
    const now = 'SELECT (STR(NOW()) AS ?n) WHERE {}';
    await ask(now);
    expect((await ask(now)).r.cached).toBeUndefined();
    await ask(COUNT_HUMANS);
    await runImport(config, { inputs: [writeFixture({ 'afas-hr/medewerkers.csv': 'Medewerker;Geboortedatum\nP1;1-1-1980\n' })], source: 'afas-hr', allowEmpty: true });
    await pool.load(currentGenerationId(config.dataDir)!);
    const after = await ask(COUNT_HUMANS);
    expect(after.r.cached).toBeUndefined();
    expect((await ask(COUNT_HUMANS)).r.cached).toBe(true);
  });

  it('keeps no result of more than one chunk', async () => {
    const big = 'SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000';
    const first = await ask(big);
    expect(first.body.length).toBeGreaterThan(64 * 1024);
    expect((await ask(big)).r.cached).toBeUndefined();
  });
});
