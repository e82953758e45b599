// Installing profiles as KIK-V publishes them: the queries/ + shapes/ + README layout, headerless
// files, SHACL parameter shapes and textual $(name) placeholders. Fixtures are our own texts; the
// official folders are used when ../shared/conformance is present (CC BY-ND: never copied here).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { ProfileError, ProfileRegistry, installProfile } from '../../src/profiles/index.js';
import { activateParameters, prepareQuery, QueryError } from '../../src/query/index.js';
import { tempDir, writeFixture } from '../helpers.js';

const SHAPE = `@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.com/> .
ex:S a sh:NodeShape ;
  sh:property [ sh:path ex:peildatum ; sh:name "peildatum" ; sh:datatype xsd:date ;
                sh:minInclusive "2020-12-31"^^xsd:date ; sh:maxInclusive "2029-12-31"^^xsd:date ] ;
  sh:property [ sh:path ex:vestigingsnummer ; sh:datatype xsd:string ; sh:pattern "^[0-9]{12}$" ] ;
  sh:property [ sh:path ex:jaar ; sh:datatype xsd:gYear ; sh:minInclusive "2024"^^xsd:gYear ; sh:maxInclusive "2026"^^xsd:gYear ] ;
  sh:property [ sh:path ex:soort ; sh:datatype xsd:string ; sh:in ( "PIL" "PNIL" ) ] .
`;

const PUBLISHED = {
  'README.md': '# Test Inspectie 2.3.0 — our own fixture\n\nUitwisselprofiel **Test Inspectie**, version **2.3.0**, as published.\n',
  'index.tsv': 'id\ttitle\tparameters\n1.1\t1.1. Hoeveel cliënten?\t?peildatum\n2.1\t2.1. Hoeveel kosten?\t$(start_periode)\n',
  // Header drift as in IGJ 1.4.2: the header names ?vestiging, the shape and the BIND ?vestigingsnummer.
  'queries/1.1.rq': '# Indicator: TI 1.1\n# Parameters: ?peildatum, ?vestiging\n# Ontologie: versie 3.0\n\nSELECT ?d ?v ?j ?s WHERE {\n  # BIND("2024-01-15"^^xsd:date AS ?peildatum)\n  # BIND("000001254" AS ?vestigingsnummer)\n  # BIND(2025 AS ?jaar)\n  # BIND("PIL" AS ?soort)\n  BIND(?peildatum AS ?d) BIND(?vestigingsnummer AS ?v) BIND(?jaar AS ?j) BIND(?soort AS ?s)\n}',
  'queries/2.1.rq': '# Indicator: TI 2.1\n# Parameters: $(start_periode), $(eind_periode)\n\nSELECT ?b ?e WHERE {\n  BIND ($(start_periode) AS ?b)\n  BIND ($(eind_periode) AS ?e)\n}\n',
  'shapes/1.1.ttl': SHAPE,
};

describe('published profile layout', () => {
  it('takes title and version from the README, titles from index.tsv, parameters from the shapes', () => {
    const target = tempDir('ds-profiles-');
    const source = writeFixture(PUBLISHED);
    const m = installProfile(source, target);
    expect(m).toMatchObject({ id: 'test-inspectie', version: '2.3.0', ontology: { min: '3.0.0' } });
    expect(m.indicators.map((i) => [i.id, i.title])).toEqual([['1.1', '1.1. Hoeveel cliënten?'], ['2.1', '2.1. Hoeveel kosten?']]);
    const [p1, p2] = [m.indicators[0]!.parameters, m.indicators[1]!.parameters];
    expect(p1.map((p) => p.name)).toEqual(['peildatum', 'vestigingsnummer', 'jaar', 'soort']);
    expect(p1[0]).toMatchObject({ type: 'date', minDate: '2020-12-31', maxDate: '2029-12-31', example: '2024-01-15' });
    expect(p1[1]).toMatchObject({ type: 'string', pattern: '^[0-9]{12}$' });
    expect(p1[1]!.example).toBeUndefined(); // "000001254" fails its own pattern
    expect(p1[2]).toMatchObject({ type: 'integer', min: 2024, max: 2026, example: 2025 });
    expect(p1[3]).toMatchObject({ enum: ['PIL', 'PNIL'] });
    expect(p2.map((p) => `${p.name}:${p.type}`)).toEqual(['start_periode:date', 'eind_periode:date']);
    // Copied unmodified, shapes and README included.
    const dir = join(target, 'test-inspectie', '2.3.0');
    expect(readFileSync(join(dir, '2.1.rq'), 'utf8')).toBe(PUBLISHED['queries/2.1.rq']);
    expect(readFileSync(join(dir, 'shapes', '1.1.ttl'), 'utf8')).toBe(SHAPE);
    expect(existsSync(join(dir, 'README.md'))).toBe(true);
    const registry = ProfileRegistry.load([target]);
    const ind = registry.indicator('test-inspectie', '1.1');
    expect(() => prepareQuery(ind.text, ind.parameters, { peildatum: '2019-01-01', vestigingsnummer: '000000000001', jaar: 2025, soort: 'PIL' })).toThrow(/outside 2020-12-31..2029-12-31/);
    expect(() => prepareQuery(ind.text, ind.parameters, { peildatum: '2024-01-01', vestigingsnummer: '000000000001', jaar: 2023, soort: 'PIL' })).toThrow(/outside 2024..2026/);
    expect(() => prepareQuery(ind.text, ind.parameters, { peildatum: '2024-01-01', vestigingsnummer: '12', jaar: 2025, soort: 'PIL' })).toThrow(/does not match/);
    expect(prepareQuery(ind.text, ind.parameters, { peildatum: '2024-01-01', vestigingsnummer: '000000000001', jaar: 2025, soort: 'PNIL' }).text).toContain('BIND("000000000001" AS ?vestigingsnummer)');
  });

  it('fills $(name) placeholders only with checked values', () => {
    const target = tempDir('ds-profiles-');
    installProfile(writeFixture(PUBLISHED), target);
    const ind = ProfileRegistry.load([target]).indicator('test-inspectie', '2.1');
    const prepared = prepareQuery(ind.text, ind.parameters, { start_periode: '2024-01-01', eind_periode: '2024-12-31' });
    expect(prepared.text).toContain('BIND ("2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> AS ?b)');
    expect(prepared.text).toContain('# Parameters: $(start_periode)'); // comments untouched
    expect(prepared.unusedParameters).toEqual([]);
    expect(() => prepareQuery(ind.text, ind.parameters, { start_periode: '2024-01-01) AS ?x) } DELETE', eind_periode: '2024-12-31' })).toThrow(QueryError);
    expect(() => prepareQuery(ind.text, ind.parameters, { start_periode: '2024-01-01' })).toThrow(/eind_periode/);
    // A placeholder nobody declared is refused, not left in the text.
    expect(() => activateParameters('SELECT * { BIND($(x) AS ?y) }', [], {})).toThrow(expect.objectContaining({ code: 'missing_parameter' }));
  });

  it('refuses a placeholder inside a literal, a folder that names no profile, and a changed published file', () => {
    const literal = writeFixture({ ...PUBLISHED, 'queries/3.1.rq': '# Parameters: $(x)\nSELECT ?y WHERE { BIND("$(x)" AS ?y) }\n' });
    expect(() => installProfile(literal, tempDir('ds-profiles-'))).toThrow(/placeholder stands where no value may go/);
    const bare = writeFixture({ '1.1.rq': 'SELECT ?n WHERE { # BIND(2024 AS ?jaar)\n BIND(?jaar AS ?n) }\n' });
    expect(() => installProfile(bare, tempDir('ds-profiles-'))).toThrow(/give --title and --version/);
    expect(installProfile(bare, tempDir('ds-profiles-'), { title: 'Eigen Vragen', version: '0.1.0' })).toMatchObject({ id: 'eigen-vragen', version: '0.1.0' });
    expect(() => installProfile(bare, tempDir('ds-profiles-'), { title: 'Eigen', version: '1' })).toThrow(ProfileError);
    const sums = writeFixture({ ...PUBLISHED, SHA256SUMS: `${'0'.repeat(64)}  queries/1.1.rq\n` });
    expect(() => installProfile(sums, tempDir('ds-profiles-'))).toThrow(/differs from its published checksum/);
  });
});

const CONFORMANCE = join(packageRoot(), '..', 'shared', 'conformance');
const OFFICIAL: [string, number, Record<string, string | number>][] = [
  ['igj-aangekondigd-1.0.0', 7, { peildatum: '2024-06-30', vestigingsnummer: '000000000001' }],
  ['igj-onaangekondigd-1.2.0', 7, { peildatum: '2024-06-30', vestigingsnummer: '000000000001' }],
  ['nza-wmg-1.1.1', 10, { jaar: 2024 }],
  ['nza-kostenonderzoek-1.1.1', 26, { start_periode: '2024-01-01', eind_periode: '2024-12-31', start_periode_datum: '2024-01-01', eind_periode_datum: '2024-12-31' }],
  ['vws-jaarverantwoording-1.1.1', 3, { jaar: 2024 }],
];

describe.runIf(existsSync(CONFORMANCE))('the official profiles install as published', () => {
  it.each(OFFICIAL)('%s', (folder, count, values) => {
    const target = tempDir('ds-profiles-');
    const m = installProfile(join(CONFORMANCE, folder), target);
    expect(m.indicators).toHaveLength(count);
    const dir = join(target, m.id, m.version);
    for (const file of readdirSync(join(CONFORMANCE, folder, 'queries'))) {
      expect(readFileSync(join(dir, file))).toEqual(readFileSync(join(CONFORMANCE, folder, 'queries', file)));
    }
    const registry = ProfileRegistry.load([target]);
    for (const i of m.indicators) {
      const ind = registry.indicator(m.id, i.id);
      const given = Object.fromEntries(ind.parameters.map((p) => [p.name, values[p.name]]));
      const prepared = prepareQuery(ind.text, ind.parameters, given);
      expect(prepared.text).not.toMatch(/^[^#\n]*\$\(/m);
    }
  });

  it('Zorgkantoren 1.3.5 (a bare folder with headers) still installs', () => {
    const m = installProfile(join(CONFORMANCE, 'zorgkantoren-1.3.5', 'queries'), tempDir('ds-profiles-'));
    expect(m).toMatchObject({ id: 'zorgkantoren-inkoopondersteuning-en-beleidsontwikkeling', version: '1.3.5' });
    expect(m.indicators).toHaveLength(68);
  });

  it('IGJ shapes replace the drifting header and constrain the parameters', () => {
    const m = installProfile(join(CONFORMANCE, 'igj-onaangekondigd-1.2.0'), tempDir('ds-profiles-'));
    const p = m.indicators.find((i) => i.id === '1.4.2')!.parameters;
    expect(p.map((x) => x.name)).toEqual(['peildatum', 'vestigingsnummer']);
    expect(p[1]).toMatchObject({ pattern: '^[0-9]{12}$' });
    // 1.1.2 has no shape of its own: the profile's other shapes constrain it.
    expect(m.indicators.find((i) => i.id === '1.1.2')!.parameters.find((x) => x.name === 'peildatum')).toMatchObject({ minDate: '2020-12-31' });
  });
});
