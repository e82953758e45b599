import { describe, expect, it } from 'vitest';
import { police, QueryError } from '../../src/query/index.js';

function codeOf(text: string, limits?: { maxQueryBytes: number; maxDepth: number }): string {
  try {
    police(text, limits);
    return 'allowed';
  } catch (error) {
    return error instanceof QueryError ? error.code : `other: ${(error as Error).message}`;
  }
}

describe('policing', () => {
  it('allows the read forms', () => {
    expect(codeOf('SELECT * WHERE { ?s ?p ?o }')).toBe('allowed');
    expect(codeOf('ASK { ?s ?p ?o }')).toBe('allowed');
    expect(codeOf('CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }')).toBe('allowed');
    expect(codeOf('DESCRIBE <urn:x>')).toBe('allowed');
  });

  it('rejects every update form', () => {
    for (const u of ['INSERT DATA { <urn:a> <urn:b> <urn:c> }', 'DELETE WHERE { ?s ?p ?o }', 'LOAD <http://example.org/x>', 'CLEAR ALL', 'DROP GRAPH <urn:g>',
      'WITH <urn:g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }', 'CREATE GRAPH <urn:g>', 'ADD <urn:a> TO <urn:b>']) {
      expect(codeOf(u), u).toBe('update_not_allowed');
    }
  });

  it('finds SERVICE wherever it hides', () => {
    expect(codeOf('SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }')).toBe('service_not_allowed');
    expect(codeOf('SELECT * WHERE { ?a ?b ?c OPTIONAL { { SELECT ?s WHERE { SERVICE SILENT <http://e.example/> { ?s ?p ?o } } } } }')).toBe('service_not_allowed');
    expect(codeOf('SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://e.example/> { ?s ?q ?r } } }')).toBe('service_not_allowed');
    expect(codeOf('SELECT * WHERE { { ?s ?p ?o } UNION { MINUS { SERVICE <http://e.example/> { ?s ?p ?o } } } }')).toBe('service_not_allowed');
  });

  it('rejects datasets outside ours', () => {
    expect(codeOf('SELECT * FROM <http://other.example/data> WHERE { ?s ?p ?o }')).toBe('dataset_not_allowed');
    expect(codeOf('SELECT * FROM NAMED <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }')).toBe('dataset_not_allowed');
  });

  it('rejects oversize, over-deep and unparseable queries', () => {
    expect(codeOf(`SELECT * WHERE { ?s ?p "${'x'.repeat(300_000)}" }`)).toBe('query_too_large');
    const deep = 'SELECT * WHERE { ' + '{ '.repeat(200) + '?s ?p ?o' + ' }'.repeat(200) + ' }';
    expect(codeOf(deep)).toBe('query_too_deep');
    expect(codeOf('SELECT (' + 'ABS('.repeat(150) + '1' + ')'.repeat(150) + ' AS ?x) WHERE {}')).toBe('query_too_deep');
    expect(codeOf('SELEKT * WHERE { ?s ?p ?o }')).toBe('unparseable_query');
  });

  it('gives each rejection one HTTP status', () => {
    const statuses = (t: string) => { try { police(t); return 0; } catch (e) { return (e as QueryError).status; } };
    expect(statuses('INSERT DATA { <urn:a> <urn:b> <urn:c> }')).toBe(422);
    expect(statuses(`SELECT * WHERE { ?s ?p "${'x'.repeat(300_000)}" }`)).toBe(413);
  });
});
