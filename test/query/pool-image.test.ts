// The store image and the warm/spare pool, over real worker threads and a real generation on disk:
// a restored worker answers exactly what a parsing one does; a damaged or foreign image is ignored;
// a runaway query is still stopped at its deadline while a spare answers the others; a generation
// swap moves every worker and the image along.
import { openSync, readFileSync, statSync, writeSync, closeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/importer/index.js';
import { QueryPool, prepareQuery } from '../../src/query/index.js';
import { IMAGE_FILE, currentGenerationId, generationsDir } from '../../src/store/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { testConfig, writeFixture } from '../helpers.js';

const config = testConfig();
const RUNAWAY = 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }';
const QUERIES = [
  'PREFIX onz-g: <http://purl.org/ozo/onz-g#> SELECT (COUNT(?h) AS ?n) WHERE { ?h a onz-g:Human }',
  'SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 500',
  'SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?p) AS ?preds) WHERE { ?s ?p ?o }',
  'PREFIX time: <http://www.w3.org/2006/time#> SELECT (MAX(?n) AS ?m) WHERE { ?d time:inTemporalPosition/time:numericPosition ?n }',
];
const pools: QueryPool[] = [];
// each test starts several worker threads through tsx: minutes on a loaded 2-core machine
const SLOW = 240_000;
const image = () => join(generationsDir(config.dataDir), currentGenerationId(config.dataDir)!, IMAGE_FILE);

async function answer(pool: QueryPool, text: string, deadlineMs?: number): Promise<string> {
  const prepared = prepareQuery(text, [], {});
  let body = '';
  await pool.run({ text: prepared.engineText, vars: prepared.vars, format: 'json', ...(deadlineMs ? { deadlineMs } : {}) }, (chunk) => {
    body += chunk;
  });
  return body;
}

async function started(options: Partial<ConstructorParameters<typeof QueryPool>[0]> = {}): Promise<QueryPool> {
  const pool = new QueryPool({ dataDir: config.dataDir, size: 2, deadlineMs: 30_000, rowCap: 100_000, ...options });
  pools.push(pool);
  await pool.load(currentGenerationId(config.dataDir)!);
  return pool;
}

beforeAll(async () => {
  await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('store image', () => {
  it('is written by the first load and restored by the next, answering exactly what parsing answers', async () => {
    const parsing = await started({ image: false });
    expect(parsing.loads.at(-1)).toMatchObject({ source: 'parse' });
    expect(existsSync(image())).toBe(false);
    const expected = await Promise.all(QUERIES.map((q) => answer(parsing, q)));

    const first = await started();
    expect(first.loads.at(-1)).toMatchObject({ source: 'parse', imageWritten: true });
    expect(statSync(image()).size).toBeGreaterThan(1 << 20);
    const restart = await started({ warm: 2 });
    expect(restart.loads.map((l) => l.source)).toEqual(['image', 'image']);
    for (const pool of [first, restart]) expect(await Promise.all(QUERIES.map((q) => answer(pool, q)))).toEqual(expected);
  }, SLOW);

  it('ignores a damaged image, parses instead and writes a good one', async () => {
    await started(); // makes sure an image exists
    const before = readFileSync(image());
    const fd = openSync(image(), 'r+');
    writeSync(fd, Buffer.from([before[before.length >> 1]! ^ 0xff]), 0, 1, before.length >> 1); // one flipped byte in the body
    closeSync(fd);
    const pool = await started();
    expect(pool.loads.at(-1)).toMatchObject({ source: 'parse', imageWritten: true });
    expect(JSON.parse(await answer(pool, QUERIES[0]!))).toMatchObject({ results: { bindings: [{ n: { value: '5' } }] } });
    expect((await started()).loads.at(-1)).toMatchObject({ source: 'image' });
  }, SLOW);

  it('parses in a fresh worker when a restore fails half-way (the image goes)', async () => {
    await started();
    const header = readFileSync(image()).subarray(0, 4096).toString('utf8').replace(/"triples":(\d+)/, (_, n: string) => `"triples":${Number(n) + 1}`);
    const fd = openSync(image(), 'r+');
    writeSync(fd, Buffer.from(header.padEnd(4096)), 0, 4096, 0);
    closeSync(fd);
    const pool = await started();
    expect(pool.loads.at(-1)).toMatchObject({ source: 'parse', imageWritten: true });
    expect(JSON.parse(await answer(pool, QUERIES[0]!))).toMatchObject({ results: { bindings: [{ n: { value: '5' } }] } });
  }, SLOW);

  it('ignores an image written for another oxigraph build', async () => {
    await started();
    const bytes = readFileSync(image());
    const header = bytes.subarray(0, 4096).toString('utf8').replace(/"version":"[^"]*"/, '"version":"oxigraph 0.0.0 0000000000000000"');
    const fd = openSync(image(), 'r+');
    writeSync(fd, Buffer.from(header.padEnd(4096)), 0, 4096, 0);
    closeSync(fd);
    expect((await started()).loads.at(-1)).toMatchObject({ source: 'parse', imageWritten: true });
  }, SLOW);
});

describe('warm workers and spares', () => {
  it('adopts the worker prepared while the caller verified the generation (restart), and drops one prepared for another', async () => {
    await started(); // an image exists
    const gen = currentGenerationId(config.dataDir)!;
    const pool = new QueryPool({ dataDir: config.dataDir, size: 2, deadlineMs: 30_000, rowCap: 100_000 });
    pools.push(pool);
    pool.prepare(gen);
    await pool.load(gen);
    expect(pool.loads.map((l) => l.source)).toEqual(['image']); // one worker, the prepared one
    expect(pool.workers).toBe(1);
    const other = new QueryPool({ dataDir: config.dataDir, size: 1, deadlineMs: 30_000, rowCap: 100_000 });
    pools.push(other);
    other.prepare('g999999-not-a-generation');
    await other.load(gen);
    expect(JSON.parse(await answer(other, QUERIES[0]!))).toMatchObject({ results: { bindings: [{ n: { value: '5' } }] } });
  }, SLOW);

  it('keeps one worker warm, stops a runaway at its deadline while a spare answers, and lets the spare go when idle', async () => {
    const pool = await started({ warm: 1, size: 2, spareAfterMs: 100, spareIdleMs: 500 });
    expect(pool.workers).toBe(1);
    let stoppedAt = 0;
    // long enough for a spare to restore the image on a loaded CI machine
    const runaway = answer(pool, RUNAWAY, 30_000).then(() => 'answered', (e: unknown) => e).finally(() => (stoppedAt = Date.now()));
    const other = JSON.parse(await answer(pool, QUERIES[0]!)) as unknown;
    const otherAt = Date.now();
    expect(other).toMatchObject({ results: { bindings: [{ n: { value: '5' } }] } });
    expect(pool.loads.at(-1)).toMatchObject({ source: 'image' }); // the spare restored the image
    expect(await runaway).toMatchObject({ code: 'deadline_exceeded' });
    expect(otherAt).toBeLessThan(stoppedAt);
    expect(pool.replaced).toBe(1);
    // the killed warm worker came back (from the image); the idle spare went
    expect(JSON.parse(await answer(pool, QUERIES[0]!))).toMatchObject({ results: { bindings: [{ n: { value: '5' } }] } });
    await expect.poll(() => pool.workers, { timeout: 5000 }).toBe(1);
  }, SLOW);

  it('starts no spare while every question waits only briefly, however long the load lasts', async () => {
    const pool = await started({ warm: 1, size: 2, spareAfterMs: 1500 });
    const loadsBefore = pool.loads.length;
    // four clients keep one worker busy for 4 s: something is nearly always queued, each for ms
    const until = Date.now() + 4000;
    const client = async () => {
      while (Date.now() < until) await answer(pool, QUERIES[0]!);
    };
    await Promise.all([client(), client(), client(), client()]);
    expect(pool.workers).toBe(1);
    expect(pool.loads.length).toBe(loadsBefore);
  }, SLOW);

  it('with none warm, keeps no copy loaded when idle and starts one from the image for a question', async () => {
    const pool = await started({ warm: 0, size: 2, spareIdleMs: 300 });
    // the worker that loaded the generation goes once idle
    await expect.poll(() => pool.workers, { timeout: 10_000 }).toBe(0);
    const loadsBefore = pool.loads.length;
    expect(JSON.parse(await answer(pool, QUERIES[0]!))).toMatchObject({ results: { bindings: [{ n: { value: '5' } }] } });
    expect(pool.loads.slice(loadsBefore).map((l) => l.source)).toEqual(['image']);
    await expect.poll(() => pool.workers, { timeout: 10_000 }).toBe(0);
    // a runaway is still stopped at its deadline, and the next question still gets an answer
    expect(await answer(pool, RUNAWAY, 1000).catch((e: unknown) => e)).toMatchObject({ code: 'deadline_exceeded' });
    expect(JSON.parse(await answer(pool, QUERIES[0]!))).toMatchObject({ results: { bindings: [{ n: { value: '5' } }] } });
  }, SLOW);

  it('closes cleanly while the replacement of a killed worker is still loading', async () => {
    const pool = new QueryPool({ dataDir: config.dataDir, size: 1, deadlineMs: 30_000, rowCap: 100_000 });
    await pool.load(currentGenerationId(config.dataDir)!);
    expect(await answer(pool, RUNAWAY, 300).catch((e: unknown) => e)).toMatchObject({ code: 'deadline_exceeded' });
    expect(pool.replaced).toBe(1);
    await pool.close(); // the replacement dies loading: no unhandled rejection may escape
    await new Promise((resolve) => setTimeout(resolve, 500));
  }, SLOW);

  it('never runs more workers than its size', async () => {
    const pool = await started({ warm: 1, size: 2, spareAfterMs: 50 });
    const all = await Promise.all(Array.from({ length: 6 }, () => answer(pool, QUERIES[2]!)));
    expect(new Set(all).size).toBe(1);
    expect(pool.workers).toBeLessThanOrEqual(2);
  }, SLOW);

  it('moves to a new generation after an import, with a new image, and keeps the previous generation intact', async () => {
    const pool = await started({ warm: 2 });
    const old = currentGenerationId(config.dataDir)!;
    await runImport(config, { inputs: [writeFixture({ 'afas-hr/medewerkers.csv': 'Medewerker;Geboortedatum\nP1;1-1-1980\nP9;2-2-1992\n' })], source: 'afas-hr', allowEmpty: true });
    const next = currentGenerationId(config.dataDir)!;
    expect(next).not.toBe(old);
    await pool.load(next);
    expect(pool.loads.slice(-2).map((l) => l.source)).toEqual(['parse', 'image']);
    const results = await Promise.all([answer(pool, QUERIES[0]!), answer(pool, QUERIES[0]!)]);
    for (const r of results) expect(JSON.parse(r)).toMatchObject({ results: { bindings: [{ n: { value: '2' } }] } });
    expect(existsSync(join(generationsDir(config.dataDir), next, IMAGE_FILE))).toBe(true);
    // the older generation's files are untouched (only its cache went): it still loads and answers
    expect(existsSync(join(generationsDir(config.dataDir), old, IMAGE_FILE))).toBe(false);
    const back = new QueryPool({ dataDir: config.dataDir, size: 1, deadlineMs: 30_000, rowCap: 100_000 });
    pools.push(back);
    await back.load(old);
    expect(JSON.parse(await answer(back, QUERIES[0]!))).toMatchObject({ results: { bindings: [{ n: { value: '5' } }] } });
  }, SLOW);
});
