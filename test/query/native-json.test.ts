// SPARQL JSON written by Oxigraph (src/query/native-json.ts) against our own serialiser, term by
// term: the same text for IRIs, blank nodes, typed, language-tagged and awkward literals and unbound
// variables; rows counted through braces, quotes and backslashes inside values; chunks never split
// a surrogate pair.
import oxigraph from 'oxigraph';
import { describe, expect, it } from 'vitest';
import { chunks, serializer } from '../../src/query/index.js';
import { countBindings, isSelect, splitHead, textChunks } from '../../src/query/native-json.js';

const AWKWARD = ['},{"x":{', 'a\\', '\\"}', 'tab\there\nnew "quoted" \\\\', '😀 emoji ẞ', ']}}', ''];
const store = new oxigraph.Store();
const ex = (s: string) => oxigraph.namedNode(`https://x.example/${s}`);
AWKWARD.forEach((v, i) => store.add(oxigraph.quad(ex(`s${i}`), ex('p'), oxigraph.literal(v))));
store.add(oxigraph.quad(ex('t'), ex('p'), oxigraph.literal('1.50', oxigraph.namedNode('http://www.w3.org/2001/XMLSchema#decimal'))));
store.add(oxigraph.quad(ex('t'), ex('p'), oxigraph.literal('hallo', 'nl')));
store.add(oxigraph.quad(oxigraph.blankNode('b1'), ex('p'), ex('o')));
store.add(oxigraph.quad(ex('u'), ex('q'), ex('o')));
const QUERY = 'SELECT ?o ?s ?none WHERE { { ?s <https://x.example/p> ?o } UNION { ?s <https://x.example/q> ?o2 } OPTIONAL { ?s <https://x.example/nothing> ?none } } ORDER BY ?s ?o';

describe('native SPARQL JSON', () => {
  it('is the text our serialiser writes, with our head, and counts its rows', () => {
    const rows = store.query(QUERY) as Map<string, never>[];
    const ours = [...chunks(serializer('json'), ['o', 's', 'none'], rows)].join('');
    const native = store.query(QUERY, { results_format: 'application/sparql-results+json' }) as string;
    const split = splitHead(native, ['o', 's', 'none'])!;
    expect([...textChunks(split.head, native, split.from, 7)].join('')).toBe(ours);
    expect(countBindings(native, split.from)).toBe(rows.length);
    expect(rows.length).toBe(AWKWARD.length + 4);
  });

  it('gives way to our serialiser when the engine has variables we do not project', () => {
    const native = store.query('SELECT ?s ?o WHERE { ?s ?p ?o }', { results_format: 'application/sparql-results+json' }) as string;
    expect(splitHead(native, ['s'])).toBeUndefined();
    expect(splitHead(native, [])?.head).toBe('{"head":{"vars":["s","o"]}');
  });

  it('cuts chunks beside a surrogate pair, never through it', () => {
    const json = '{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"😀😀😀😀"}}]}}';
    const split = splitHead(json, ['x'])!;
    for (let size = 1; size < 12; size++) {
      const parts = [...textChunks(split.head, json, split.from, size)];
      expect(parts.join('')).toBe(json);
      for (const p of parts) expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p); // no lone surrogate
    }
  });

  it('recognises a SELECT behind comments, PREFIX and BASE, and nothing else', () => {
    expect(isSelect('# a comment\nPREFIX x: <https://x/> BASE <https://b/>\n  select * {}')).toBe(true);
    expect(isSelect('PREFIX : <https://x/> SELECT ?a {}')).toBe(true);
    expect(isSelect('PREFIX x: <https://x/> ASK {}')).toBe(false);
    expect(isSelect('CONSTRUCT WHERE { ?s ?p ?o }')).toBe(false);
  });
});
