// Query abuse. (1) Runaway queries — a cartesian product and an all-pairs property path — are
// stopped by the deadline while other requesters' questions are answered. (2) SERVICE, updates and
// foreign datasets hidden at random depths in random nestings (OPTIONAL, UNION, MINUS, GRAPH,
// sub-selects, FILTER EXISTS) are always found (fast-check); the same nestings without them pass.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/importer/index.js';
import { police, QueryError, QueryPool, prepareQuery } from '../../src/query/index.js';
import { currentGenerationId } from '../../src/store/index.js';
import { EXAMPLE_DIR, testConfig } from '../helpers.js';

const config = testConfig();
let pool: QueryPool;
beforeAll(async () => {
  await runImport(config, { inputs: [EXAMPLE_DIR] });
  pool = new QueryPool({ dataDir: config.dataDir, size: 3, warm: 3, deadlineMs: 2500, rowCap: 100_000 });
  await pool.load(currentGenerationId(config.dataDir)!);
}, 60_000);
afterAll(() => pool.close());

const run = (text: string) => {
  const prepared = prepareQuery(text, [], {});
  return pool.run({ text: prepared.engineText, vars: prepared.vars, format: 'json' }, () => undefined);
};

describe('runaway queries', () => {
  it('are stopped at the deadline while other requesters are served', async () => {
    const before = pool.replaced;
    const stopped: number[] = [];
    const runaways = [
      'SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }',
      'SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:x:p>|^!<urn:x:p>)* ?b }', // reachability in both directions: all pairs
    ].map((text) => run(text).finally(() => stopped.push(Date.now())));
    const started = Date.now();
    const served: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await run('PREFIX onz-g: <http://purl.org/ozo/onz-g#> SELECT (COUNT(?h) AS ?n) WHERE { ?h a onz-g:Human }');
      expect(r.rows).toBe(1);
      served.push(Date.now());
    }
    for (const r of runaways) await expect(r).rejects.toMatchObject({ code: 'deadline_exceeded', status: 503 });
    expect(Math.max(...served)).toBeLessThan(Math.min(...stopped)); // all served before either runaway ended
    expect(Math.min(...stopped) - started).toBeLessThan(10_000); // stopped near the 2.5 s deadline
    expect(pool.replaced).toBe(before + 2);
  }, 30_000);
});

// Random group patterns: a tree of nestings, with an optional forbidden element at a random leaf.
type Tree = { kind: 'leaf' } | { kind: 'optional' | 'union' | 'minus' | 'graph' | 'subselect' | 'exists' | 'group'; children: Tree[] };
const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant({ kind: 'leaf' as const }),
    fc.record({ kind: fc.constantFrom('optional', 'union', 'minus', 'graph', 'subselect', 'exists', 'group'), children: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }) }) as fc.Arbitrary<Tree>,
  ),
})).tree;

function render(t: Tree, leaf: (path: number[]) => string, path: number[] = []): string {
  if (t.kind === 'leaf') return leaf(path);
  const inner = t.children.map((c, i) => render(c, leaf, [...path, i]));
  switch (t.kind) {
    case 'optional': return `?s ?p ?o OPTIONAL { ${inner.join(' ')} }`;
    case 'union': return inner.map((x) => `{ ${x} }`).join(' UNION ') + (inner.length === 1 ? ' UNION { ?s ?p ?o }' : '');
    case 'minus': return `?s ?p ?o MINUS { ${inner.join(' ')} }`;
    case 'graph': return `GRAPH ?g { ${inner.join(' ')} }`;
    case 'subselect': return `{ SELECT * WHERE { ${inner.join(' ')} } }`;
    case 'exists': return `?s ?p ?o FILTER NOT EXISTS { ${inner.join(' ')} }`;
    case 'group': return `{ ${inner.join(' ')} }`;
  }
}

/** Every leaf's path, to pick where the forbidden element hides. */
const leaves = (t: Tree, path: number[] = []): number[][] => (t.kind === 'leaf' ? [path] : t.children.flatMap((c, i) => leaves(c, [...path, i])));

const FORBIDDEN = ['SERVICE <http://evil.example/sparql> { ?s ?p ?o }', 'SERVICE SILENT ?endpoint { ?s ?p ?o }'];

function codeOf(text: string): string {
  try {
    police(text);
    return 'allowed';
  } catch (error) {
    return error instanceof QueryError ? error.code : `crash: ${(error as Error).message}`;
  }
}

describe('forbidden operations hidden in nested patterns', () => {
  it('SERVICE is found at any depth of any nesting; the same query without it passes', () => {
    fc.assert(
      fc.property(tree, fc.nat(), fc.constantFrom(0, 1), (t, pick, which) => {
        const all = leaves(t);
        const hidden = all[pick % all.length]!.join('.');
        const clean = `SELECT * WHERE { ${render(t, () => '?s ?p ?o .')} }`;
        const dirty = `SELECT * WHERE { ${render(t, (path) => (path.join('.') === hidden ? FORBIDDEN[which]! : '?s ?p ?o .'))} }`;
        const cleanCode = codeOf(clean);
        expect(['allowed', 'query_too_deep']).toContain(cleanCode);
        expect(codeOf(dirty)).toBe(cleanCode === 'query_too_deep' ? 'query_too_deep' : 'service_not_allowed');
      }),
      { numRuns: 300, seed: 20261122 },
    );
  });

  it('an update or LOAD wrapped around any nesting is refused as an update, never run', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom('DELETE', 'INSERT', 'LOAD', 'DELETE+SERVICE'), (t, form) => {
        const where = render(t, () => '?s ?p ?o .');
        const text = {
          DELETE: `DELETE { ?s ?p ?o } WHERE { ${where} }`,
          INSERT: `INSERT { ?s <urn:x:copied> ?o } WHERE { ${where} }`,
          LOAD: `LOAD <http://evil.example/data.ttl> ; DELETE WHERE { ?s ?p ?o }`,
          'DELETE+SERVICE': `SELECT * WHERE { ${where} } ; DELETE WHERE { SERVICE <http://e.example/> { ?s ?p ?o } }`,
        }[form];
        const code = codeOf(text);
        expect(['update_not_allowed', 'unparseable_query', 'query_too_deep']).toContain(code);
      }),
      { numRuns: 200, seed: 20261122 },
    );
  });

  it('FROM and FROM NAMED outside our dataset are refused whatever the pattern', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom('FROM', 'FROM NAMED'), (t, clause) => {
        const code = codeOf(`SELECT * ${clause} <http://other.example/data> WHERE { ${render(t, () => '?s ?p ?o .')} }`);
        expect(['dataset_not_allowed', 'query_too_deep']).toContain(code);
      }),
      { numRuns: 100, seed: 20261122 },
    );
  });
});
