// Reference data at import: an RDF export that brings its own code list (ODB levels) does not get
// ours as well. Hand-built supplier dataset: one site in region Arnhem (Menzis), one care worker
// at level 3 (the supplier's own IRI, labelled "Niveau 3"), 8 hours on 2 April 2024. ZK 6.1 for
// Q2 2024: per site and for the organisation, "Niveau 3" and "Totaal", 8 h, 100 %: 4 rows (with
// our seven levels added as well it was 2 × 9 = 18, two of them "Niveau 3").
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/config/index.js';
import { runImport } from '../src/importer/index.js';
import { literal, namedNode, quad } from '../src/rdf/index.js';
import { referenceFor, renameIndividuals } from '../src/importer/reference.js';
import { findCommentedBinds, prepareQuery } from '../src/query/index.js';
import { inferParameter, readHeader } from '../src/profiles/index.js';
import { EmbeddedStore } from '../src/store/index.js';
import { selectRows, testConfig, writeFixture } from './helpers.js';

const OFFICIAL = join(packageRoot(), '..', 'shared', 'conformance', 'zorgkantoren-1.3.5', 'queries', '6.1.rq');

const SUPPLIER = `@prefix onz-g: <http://purl.org/ozo/onz-g#> .
@prefix onz-pers: <http://purl.org/ozo/onz-pers#> .
@prefix onz-org: <http://purl.org/ozo/onz-org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sup: <https://supplier.example/id/> .

sup:niveau3 a onz-pers:ODBKwalificatieWaarde ; rdfs:label "Niveau 3" .
sup:vestiging1 a onz-org:Vestiging ; onz-g:hasLocalizableArea sup:gebied1 ; onz-g:identifiedBy sup:vestnr1 .
sup:vestnr1 a onz-org:Vestigingsnummer ; onz-g:hasDataValue "000000000001" .
sup:gebied1 onz-g:identifiedBy sup:adres1 .
sup:adres1 onz-g:hasPart sup:postcodedeel1 .
sup:postcodedeel1 onz-g:hasPart <http://purl.org/ozo/onz-g/postcode/6821AB> .
sup:afdeling1 a onz-g:StationaryArtifact ; onz-g:partOf sup:vestiging1 .
sup:persoon1 a onz-g:Human .
sup:overeenkomst1 a onz-pers:ArbeidsOvereenkomst ; onz-pers:heeftOpdrachtnemer sup:persoon1 ; onz-g:hasPart sup:afspraak1 .
sup:afspraak1 a onz-pers:WerkOvereenkomstAfspraak ; onz-g:startDatum "2024-01-01"^^xsd:date ; onz-g:isAbout sup:functie1, sup:afdeling1 .
sup:functie1 a onz-pers:ZorgverlenerFunctie ; onz-g:hasQuality sup:kwalificatie1 .
sup:kwalificatie1 onz-g:hasQualityValue sup:niveau3 .
sup:inzet1 a onz-pers:GewerktePeriode ; onz-g:definedBy sup:overeenkomst1 ; onz-g:hasBeginTimeStamp "2024-04-02T08:00:00"^^xsd:dateTime ; onz-g:hasQuality sup:inzetduur1 .
sup:inzetduur1 onz-g:hasQualityValue sup:inzeturen1 .
sup:inzeturen1 onz-g:hasDataValue "8"^^xsd:decimal .
`;

describe('reference data next to imported RDF', () => {
  // The official text enumerates every ODB level in the dataset (our own 6.1 reports used levels only).
  for (const [source, file] of [['official', OFFICIAL]] as const) {
    it.skipIf(!existsSync(file) && !process.env.CI)(`ZK 6.1 (${source} text) on a supplier export with its own ODB levels: 4 rows, one "Niveau 3" per grouping`, async () => {
      const config = testConfig();
      await runImport(config, { inputs: [writeFixture({ 'rdf/export.ttl': SUPPLIER })] });
      const text = readFileSync(file, 'utf8');
      const examples = new Map(findCommentedBinds(text).map((b) => [b.name, b.expression] as const));
      const parameters = readHeader(text).parameters.map((p) => inferParameter(p, examples.get(p)));
      const prepared = prepareQuery(text, parameters, { jaar: 2024, kwartaal: 'Q2', zorgkantoor: 'onz-org:ZorgkantoorMenzis' });
      const rows = await selectRows(await EmbeddedStore.open(config.dataDir), prepared.engineText);
      const table = rows.map((r) => [r.Indeling, r.Kwalificatieniveau, Number(r.Ingezette_uren_aan_zorgverleners), Number(r.Percentage)]);
      expect(table).toEqual([
        ['000000000001', 'Niveau 3', 8, 100],
        ['000000000001', 'Totaal', 8, 100],
        ['Organisatie (gecontracteerd + algemeen)', 'Niveau 3', 8, 100],
        ['Organisatie (gecontracteerd + algemeen)', 'Totaal', 8, 100],
      ]);
    }, 60_000);
  }
});

// Mixed import: an AFAS function maps its level 3 onto our ref:OdbNiveau3 while the RDF export
// brings its own "Niveau 3": ours was kept (the data points at it) and 6.1 showed "Niveau 3" twice
// per grouping (6 rows). Our individual is mapped onto the data's own one with the same label.
const AFAS_FUNCTIONS = 'Functie;Omschrijving;Zorgfunctie;Kwalificatieniveau\nF110;Verzorgende IG;J;3\n';

async function zk61(files: Record<string, string>): Promise<{ rows: (string | number)[][]; dataDir: string }> {
  const config = testConfig();
  await runImport(config, { inputs: [writeFixture(files)] });
  const text = readFileSync(OFFICIAL, 'utf8');
  const examples = new Map(findCommentedBinds(text).map((b) => [b.name, b.expression] as const));
  const parameters = readHeader(text).parameters.map((p) => inferParameter(p, examples.get(p)));
  const prepared = prepareQuery(text, parameters, { jaar: 2024, kwartaal: 'Q2', zorgkantoor: 'onz-org:ZorgkantoorMenzis' });
  const rows = await selectRows(await EmbeddedStore.open(config.dataDir), prepared.engineText);
  return { rows: rows.map((r) => [r.Indeling!, r.Kwalificatieniveau!, Number(r.Ingezette_uren_aan_zorgverleners), Number(r.Percentage)]), dataDir: config.dataDir };
}

describe('mixed import: a CSV source on our level, an RDF source with its own', () => {
  it.skipIf(!existsSync(OFFICIAL) && !process.env.CI)('ZK 6.1: one "Niveau 3" per grouping, the CSV function on the data\'s own level', async () => {
    const { rows, dataDir } = await zk61({ 'rdf/export.ttl': SUPPLIER, 'afas-hr/functies.csv': AFAS_FUNCTIONS });
    expect(rows).toEqual([
      ['000000000001', 'Niveau 3', 8, 100],
      ['000000000001', 'Totaal', 8, 100],
      ['Organisatie (gecontracteerd + algemeen)', 'Niveau 3', 8, 100],
      ['Organisatie (gecontracteerd + algemeen)', 'Totaal', 8, 100],
    ]);
    const store = await EmbeddedStore.open(dataDir);
    const levels = await selectRows(store, 'SELECT ?l ?f WHERE { ?l a <http://purl.org/ozo/onz-pers#ODBKwalificatieWaarde> . OPTIONAL { ?q <http://purl.org/ozo/onz-g#hasQualityValue> ?l . ?f <http://purl.org/ozo/onz-g#hasQuality> ?q } } ORDER BY ?f');
    expect(levels.map((r) => r.l)).toEqual(['https://supplier.example/id/niveau3', 'https://supplier.example/id/niveau3']); // the AFAS function F110 and the supplier's
  }, 60_000);

  it.skipIf(!existsSync(OFFICIAL) && !process.env.CI)('the CSV source carried from an earlier import is rewritten too', async () => {
    const config = testConfig();
    await runImport(config, { inputs: [writeFixture({ 'afas-hr/functies.csv': AFAS_FUNCTIONS })] });
    await runImport(config, { inputs: [writeFixture({ 'rdf/export.ttl': SUPPLIER })] });
    const store = await EmbeddedStore.open(config.dataDir);
    const levels = await selectRows(store, 'SELECT DISTINCT ?l WHERE { ?l a <http://purl.org/ozo/onz-pers#ODBKwalificatieWaarde> ; <http://www.w3.org/2000/01/rdf-schema#label> "Niveau 3" }');
    expect(levels).toEqual([{ l: 'https://supplier.example/id/niveau3' }]);
    const used = await selectRows(store, 'SELECT ?l WHERE { ?f <http://www.w3.org/2000/01/rdf-schema#label> "Verzorgende IG" ; <http://purl.org/ozo/onz-g#hasQuality>/<http://purl.org/ozo/onz-g#hasQualityValue> ?l }');
    expect(used.map((r) => r.l)).toEqual(['https://supplier.example/id/niveau3']);
  }, 60_000);
});

describe('referenceFor', () => {
  const REF = 'https://w3id.org/kikv-datastation/ref#';
  const P = 'http://purl.org/ozo/onz-pers#', G = 'http://purl.org/ozo/onz-g#', Z = 'http://purl.org/ozo/onz-zorg#';
  const TYPE = namedNode('http://www.w3.org/1999/02/22-rdf-syntax-ns#type');
  const LABEL = namedNode('http://www.w3.org/2000/01/rdf-schema#label');
  const level = (n: string) => [quad(namedNode(REF + `OdbNiveau${n}`), TYPE, namedNode(P + 'ODBKwalificatieWaarde')), quad(namedNode(REF + `OdbNiveau${n}`), LABEL, literal(`Niveau ${n}`))];
  const reference = [...level('2'), ...level('3'), quad(namedNode(Z + '4VV'), TYPE, namedNode(Z + 'ZorgProfiel')), quad(namedNode(Z + '4VV'), LABEL, literal('4VV ours', 'nl'))];
  const supplierLevel = quad(namedNode('https://s.example/n3'), TYPE, namedNode(P + 'ODBKwalificatieWaarde'));

  it('keeps everything when the data brings no code list of its own', () => {
    expect(referenceFor(reference, []).quads).toHaveLength(reference.length);
  });

  it('leaves our levels out when the data brings its own, except a level the data points at', () => {
    const csvUse = quad(namedNode('https://x.example/q1'), namedNode(G + 'hasQualityValue'), namedNode(REF + 'OdbNiveau2'));
    const chosen = referenceFor(reference, [supplierLevel, csvUse]);
    const subjects = new Set(chosen.quads.map((q) => q.subject.value));
    expect([subjects.has(REF + 'OdbNiveau2'), subjects.has(REF + 'OdbNiveau3'), subjects.has(Z + '4VV')]).toEqual([true, false, true]);
    expect(chosen.droppedIndividuals).toBe(1);
  });

  it("maps a level the data points at onto the data's own for the same label; two of its own: ours kept", () => {
    const csvUse = quad(namedNode('https://x.example/q1'), namedNode(G + 'hasQualityValue'), namedNode(REF + 'OdbNiveau3'));
    const own = (iri: string, label: string) => [quad(namedNode(iri), TYPE, namedNode(P + 'ODBKwalificatieWaarde')), quad(namedNode(iri), LABEL, literal(label))];
    const chosen = referenceFor(reference, [...own('https://s.example/n3', ' niveau  3'), csvUse]);
    expect([...chosen.renamed]).toEqual([[REF + 'OdbNiveau3', 'https://s.example/n3']]);
    expect(chosen.quads.some((q) => q.subject.value === REF + 'OdbNiveau3')).toBe(false);
    expect(renameIndividuals([csvUse], chosen.renamed).quads[0]!.object.value).toBe('https://s.example/n3');
    const two = referenceFor(reference, [...own('https://s.example/n3', 'Niveau 3'), ...own('https://t.example/n3', 'Niveau 3'), csvUse]);
    expect([two.renamed.size, two.ambiguous]).toEqual([0, ['ODBKwalificatieWaarde "Niveau 3"']]);
    expect(two.quads.some((q) => q.subject.value === REF + 'OdbNiveau3')).toBe(true);
  });

  it("lets the data's own label of one of our individuals replace ours, types kept", () => {
    const chosen = referenceFor(reference, [quad(namedNode(Z + '4VV'), LABEL, literal('4VV supplier', 'nl'))]);
    const about = chosen.quads.filter((q) => q.subject.value === Z + '4VV');
    expect(about.map((q) => q.predicate.value)).toEqual([TYPE.value]);
    expect(chosen.droppedTriples).toBe(1);
  });
});
