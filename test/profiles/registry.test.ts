// The profiles registry and the installer, on query files of our own written in the official
// header styles (the official texts themselves are not ours to ship).
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileError, ProfileRegistry, installProfile } from '../../src/profiles/index.js';
import { tempDir, writeFixture } from '../helpers.js';

const QUERY = (header: string, body = 'SELECT ?n WHERE { #BIND(2024 AS ?jaar)\n BIND(?jaar AS ?n) }') => `${header}\n\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n${body}\n`;

const SOURCE = {
  '1.1.rq': QUERY('# Uitwisselprofiel Test Inkoop 2.0.1\n# Indicator: Test 1.1\n# Parameters: ?jaar, ?zorgkantoor\n# Ontologie: versie 3.0.0 of nieuwer'),
  '2.1.rq': QUERY('# bron: tag 2.0.1\n# Indicator: TI 2.1 \n# Parameters: ?peildatum\n# Ontologie: versie 3.1.0 of nieuwer', 'SELECT ?p WHERE {\n  # BIND(xsd:date("2024-08-01") AS ?peildatum)\n  BIND(?peildatum AS ?p) }'),
  '3.1.rq': QUERY('# SPARQL: 3.1 Test\n# Parameters: ?kwartaal'),
};

describe('profiles', () => {
  it('derives a manifest from drifting headers and installs the files unmodified', () => {
    const target = tempDir('ds-profiles-');
    const m = installProfile(writeFixture(SOURCE), target);
    expect(m).toMatchObject({ id: 'test-inkoop', version: '2.0.1', ontology: { min: '3.1.0' } });
    expect(m.indicators.map((i) => i.id)).toEqual(['1.1', '2.1', '3.1']);
    expect(m.indicators[0]!.parameters.map((p) => `${p.name}:${p.type}:${p.example}`)).toEqual([
      'jaar:integer:2024',
      'zorgkantoor:iri:http://purl.org/ozo/onz-org#ZorgkantoorMenzis',
    ]);
    expect(m.indicators[1]!.parameters[0]).toMatchObject({ name: 'peildatum', type: 'date', example: '2024-08-01' });
    expect(m.indicators[2]!.parameters[0]).toMatchObject({ name: 'kwartaal', enum: ['Q1', 'Q2', 'Q3', 'Q4'] });
    expect(readFileSync(join(target, 'test-inkoop', '2.0.1', '2.1.rq'), 'utf8')).toBe(SOURCE['2.1.rq']);
  });

  it('finds an indicator by its validated text and knows the ontology range it serves', () => {
    const target = tempDir('ds-profiles-');
    installProfile(writeFixture(SOURCE), target);
    const registry = ProfileRegistry.load([target]);
    expect(registry.findByQuery(SOURCE['2.1.rq'].replace(/\n/g, '\r\n'))?.id).toBe('2.1');
    expect(registry.findByQuery(SOURCE['2.1.rq'].replace('?p', '?q'))).toBeUndefined();
    const profile = registry.profile('test-inkoop')!;
    expect(ProfileRegistry.servesOntology(profile, '3.1.0')).toBe(true);
    expect(ProfileRegistry.servesOntology(profile, '3.0.9')).toBe(false);
    expect(() => registry.indicator('test-inkoop', '9.9')).toThrow(ProfileError);
  });

  it('refuses an installed query that was changed afterwards, and a query that is not a read query', () => {
    const target = tempDir('ds-profiles-');
    installProfile(writeFixture(SOURCE), target);
    appendFileSync(join(target, 'test-inkoop', '2.0.1', '1.1.rq'), '# edited\n');
    expect(() => ProfileRegistry.load([target])).toThrow(/differs from the text that was installed/);
    const bad = writeFixture({ ...SOURCE, '4.1.rq': QUERY('# Indicator: Test 4.1', 'DELETE WHERE { ?s ?p ?o }') });
    expect(() => installProfile(bad, tempDir('ds-profiles-'))).toThrow(/only read queries/);
  });
});
