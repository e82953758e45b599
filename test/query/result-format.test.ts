// Result heads come from the query's projection, not from the rows; CSV writes blank nodes as _:x.
import type { Term } from '@rdfjs/types';
import { DataFactory } from 'n3';
import { describe, expect, it } from 'vitest';
import { parseSparql, projectedVariables, serializer } from '../../src/query/index.js';

describe('result format', () => {
  it('SELECT * lists every in-scope variable, also those no row binds; FILTER-only, MINUS and EXISTS variables are not in scope', () => {
    const ast = parseSparql('SELECT * WHERE { ?a <p:x> ?b OPTIONAL { ?b <p:y> ?c } FILTER(?z) BIND(1 AS ?d) VALUES ?e { 1 } { SELECT ?f WHERE { ?f ?g ?h } } MINUS { ?a <p:z> ?m } FILTER NOT EXISTS { ?a ?q ?r } GRAPH ?gr { ?a <p:w>/<p:v> ?pp } }') as { variables?: unknown[]; where?: unknown[] };
    expect(projectedVariables(ast, [])).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'gr', 'pp']);
  });

  it('CSV writes a blank node as _:label, a literal as its lexical form', () => {
    const csv = serializer('csv');
    const head = csv.head(['x', 'y']);
    const row = csv.row(new Map<string, Term>([['x', DataFactory.blankNode('b0')], ['y', DataFactory.literal('1', DataFactory.namedNode('http://www.w3.org/2001/XMLSchema#integer'))]]), 0);
    expect(head + row).toBe('x,y\r\n_:b0,1\r\n');
  });
});
