import { describe, expect, it } from 'vitest';
import { activateParameters, findCommentedBinds, prepareQuery, QueryError, type ParameterSpec } from '../../src/query/index.js';

const JAAR: ParameterSpec = { name: 'jaar', type: 'integer', min: 2000, max: 2100 };
const KWARTAAL: ParameterSpec = { name: 'kwartaal', type: 'string', enum: ['Q1', 'Q2', 'Q3', 'Q4'] };
const ZK: ParameterSpec = { name: 'zorgkantoor', type: 'iri', pattern: '^http://purl\\.org/ozo/onz-org#Zorgkantoor[A-Za-z]+$' };
const PEIL: ParameterSpec = { name: 'peildatum', type: 'date' };

const QUERY = `PREFIX onz-org: <http://purl.org/ozo/onz-org#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?jaar ?kwartaal ?zorgkantoor ?peildatum ?n WHERE {
  {
    SELECT ?jaar ?kwartaal ?zorgkantoor WHERE {
        #BIND(2024 AS ?jaar)
        # BIND("Q1" AS ?kwartaal)  # Parameter
        #BIND(onz-org:ZorgkantoorMenzis AS ?zorgkantoor)
        #BIND(onz-org:ZorgkantoorZilverenKruis AS ?zorgkantoor)
    }
  }
  {
    SELECT ?peildatum (1 AS ?n) WHERE {
      #  BIND(xsd:date("2024-01-01") AS ?peildatum)
    }
  }
  {
    SELECT ?peildatum WHERE {
      # BIND ("2024-12-31"^^xsd:date AS ?peildatum) .
    }
  }
}`;

const activate = (values: Record<string, unknown>, declared = [JAAR, KWARTAAL, ZK, PEIL]) => activateParameters(QUERY, declared, values);

describe('parameter activation', () => {
  it('finds the commented BINDs and their runs of lines', () => {
    expect(findCommentedBinds(QUERY).map((b) => `${b.group}:${b.name}`)).toEqual(['0:jaar', '0:kwartaal', '0:zorgkantoor', '0:zorgkantoor', '1:peildatum', '2:peildatum']);
  });

  it('activates every copy, only the first alternative in a run, and nothing else changes', () => {
    const { text, unused } = activate({ jaar: 2025, kwartaal: 'Q3', zorgkantoor: 'onz-org:ZorgkantoorVGZ', peildatum: '2025-06-30' });
    const lines = text.split('\n');
    expect(lines[5]).toBe('        BIND(2025 AS ?jaar)');
    expect(lines[6]).toBe('        BIND("Q3" AS ?kwartaal)');
    expect(lines[7]).toBe('        BIND(<http://purl.org/ozo/onz-org#ZorgkantoorVGZ> AS ?zorgkantoor)');
    expect(lines[8]).toBe('        #BIND(onz-org:ZorgkantoorZilverenKruis AS ?zorgkantoor)');
    expect(text.match(/BIND\("2025-06-30"\^\^<http:\/\/www\.w3\.org\/2001\/XMLSchema#date> AS \?peildatum\)/g)).toHaveLength(2);
    expect(unused).toEqual([]);
    const untouched = QUERY.split('\n').filter((_, i) => ![5, 6, 7, 13, 18].includes(i));
    expect(text.split('\n').filter((_, i) => ![5, 6, 7, 13, 18].includes(i))).toEqual(untouched);
  });

  it('runs: the activated query answers with the requested values', async () => {
    const oxigraph = (await import('oxigraph')).default;
    const prepared = prepareQuery(QUERY, [JAAR, KWARTAAL, ZK, PEIL], { jaar: '2023', kwartaal: 'Q2', zorgkantoor: 'http://purl.org/ozo/onz-org#ZorgkantoorCZ', peildatum: '2023-03-31' });
    const rows = new oxigraph.Store().query(prepared.engineText) as Map<string, { value: string }>[];
    expect(rows.map((r) => Object.fromEntries([...r].map(([k, v]) => [k, v.value])))).toEqual([
      { jaar: '2023', kwartaal: 'Q2', zorgkantoor: 'http://purl.org/ozo/onz-org#ZorgkantoorCZ', peildatum: '2023-03-31', n: '1' },
    ]);
  });

  it('reports a declared parameter without a BIND line as unused', () => {
    expect(activate({ jaar: 2025, kwartaal: 'Q1', zorgkantoor: 'onz-org:ZorgkantoorCZ', peildatum: '2025-01-01', vestigingsnummer: '000012345601' }, [JAAR, KWARTAAL, ZK, PEIL, { name: 'vestigingsnummer', type: 'string', pattern: '^[0-9]{12}$' }]).unused).toEqual(['vestigingsnummer']);
  });

  it('rejects unknown, missing and invalid values with their own codes', () => {
    const code = (values: Record<string, unknown>) => { try { activate(values); return 'ok'; } catch (e) { return `${(e as QueryError).code}`; } };
    const ok = { jaar: 2025, kwartaal: 'Q1', zorgkantoor: 'onz-org:ZorgkantoorCZ', peildatum: '2025-01-01' };
    expect(code(ok)).toBe('ok');
    expect(code({ ...ok, extra: 1 })).toBe('unknown_parameter');
    expect(code({ jaar: 2025, kwartaal: 'Q1', zorgkantoor: 'onz-org:ZorgkantoorCZ' })).toBe('missing_parameter');
    expect(code({ ...ok, jaar: 1999 })).toBe('invalid_parameter');
    expect(code({ ...ok, jaar: '2025) } INSERT DATA { <a> <b> <c> } #' })).toBe('invalid_parameter');
    expect(code({ ...ok, kwartaal: 'Q5' })).toBe('invalid_parameter');
    expect(code({ ...ok, kwartaal: '"Q1") FILTER(false' })).toBe('invalid_parameter');
    expect(code({ ...ok, peildatum: '2025-02-30' })).toBe('invalid_parameter');
    expect(code({ ...ok, zorgkantoor: 'http://evil.example/x> . ?s ?p <x' })).toBe('invalid_parameter');
    expect(code({ ...ok, zorgkantoor: 'http://purl.org/ozo/onz-org#Vestiging' })).toBe('invalid_parameter');
  });
});
