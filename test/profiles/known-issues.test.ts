// The minimal demonstrations of profiles/KNOWN-ISSUES.md, on the engine we run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import oxigraph from 'oxigraph';
import sparqljs from 'sparqljs';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { installProfile, ProfileRegistry } from '../../src/profiles/index.js';
import { activateParameters, prepareQuery, renderValue } from '../../src/query/index.js';
import { calendarStore, tempDir } from '../helpers.js';

const CONFORMANCE = join(packageRoot(), '..', 'shared', 'conformance');
const G = 'http://purl.org/ozo/onz-g#', FIN = 'http://purl.org/ozo/onz-fin#', PERS = 'http://purl.org/ozo/onz-pers#';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
const nn = (iri: string) => oxigraph.namedNode(iri);
const add = (store: oxigraph.Store, s: string, p: string, o: oxigraph.NamedNode | oxigraph.Literal) => store.add(oxigraph.quad(nn(s), nn(p), o));
const values = (store: oxigraph.Store, text: string, v: string) => (store.query(text) as Map<string, { value: string }>[]).map((r) => r.get(v)?.value);

describe('known issues of the published profiles', () => {
  it('1: an outer binding is not in scope inside a UNION branch (only the organisation row)', () => {
    const store = new oxigraph.Store();
    const rows = store.query(
      'SELECT ?rij WHERE { VALUES ?locatie { <http://example.org/locatie1> } { { FILTER(BOUND(?locatie)) BIND("per locatie" AS ?rij) } UNION { BIND("organisatie" AS ?rij) } } }',
    ) as Map<string, { value: string }>[];
    expect(rows.map((r) => r.get('rij')?.value)).toEqual(['organisatie']);
  });

  it('2: binding a variable already in scope is refused by a strict parser and by Oxigraph', () => {
    const text = 'SELECT * WHERE { ?s ?p ?o . BIND(1 AS ?o) }';
    expect(() => new sparqljs.Parser().parse(text)).toThrow(/already bound/);
    expect(() => new oxigraph.Store().query(text)).toThrow();
  });

  it('6: a FILTER(BOUND(?d)) inside an OPTIONAL sees the calendar\'s date: an unbound outer date pairs with every day', () => {
    const text = `PREFIX time: <http://www.w3.org/2006/time#>
SELECT ?x ?n WHERE { VALUES ?x { 1 } OPTIONAL { FILTER(BOUND(?d)) ?d ^time:inXSDDate/time:inTemporalPosition/time:numericPosition ?n } }`;
    expect(calendarStore(2024, 2024).query(text)).toHaveLength(366);
  });

  it('8: a posting under onz-fin:PM480012 is invisible to a query that names onz-fin:480012', () => {
    const store = new oxigraph.Store();
    const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
    add(store, 'http://example.org/post1', RDF_TYPE, nn(`${FIN}Grootboekpost`));
    add(store, 'http://example.org/post1', `${G}partOf`, nn(`${FIN}PM480012`));
    add(store, 'http://example.org/post1', `${G}isAbout`, nn('http://example.org/k1'));
    add(store, 'http://example.org/k1', `${G}hasQuality`, nn('http://example.org/q1'));
    add(store, 'http://example.org/q1', `${G}hasQualityValue`, nn('http://example.org/v1'));
    add(store, 'http://example.org/v1', `${G}hasDataValue`, oxigraph.literal('100', nn('http://www.w3.org/2001/XMLSchema#integer')));
    const query = (code: string) => `PREFIX onz-g: <${G}> PREFIX onz-fin: <${FIN}>
      SELECT (SUM(?bedrag) AS ?totaal) WHERE { VALUES ?rubriek { onz-fin:${code} }
        ?post onz-g:partOf ?rubriek ; onz-g:isAbout/onz-g:hasQuality/onz-g:hasQualityValue/onz-g:hasDataValue ?bedrag . }`;
    expect(values(store, query('480012'), 'totaal')).toEqual(['0']);
    expect(values(store, query('PM480012'), 'totaal')).toEqual(['100']);
  });

  it('14: a heading counts nothing on a ledger booked on detailed codes; materialising it double counts code + heading', () => {
    const store = new oxigraph.Store();
    const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
    for (const [post, code] of [['post1', 'PM811000'], ['post2', 'PM423110']] as const) {
      const s = `http://example.org/${post}`;
      add(store, s, RDF_TYPE, nn(`${FIN}Grootboekpost`));
      add(store, s, `${G}partOf`, nn(`${FIN}${code}`));
      add(store, s, `${G}isAbout`, nn(`${s}/k`));
      add(store, `${s}/k`, `${G}hasQuality`, nn(`${s}/q`));
      add(store, `${s}/q`, `${G}hasQualityValue`, nn(`${s}/v`));
      add(store, `${s}/v`, `${G}hasDataValue`, oxigraph.literal('100', nn('http://www.w3.org/2001/XMLSchema#integer')));
    }
    const query = (codes: string) => `PREFIX onz-g: <${G}> PREFIX onz-fin: <${FIN}>
      SELECT (SUM(?bedrag) AS ?totaal) WHERE { VALUES ?rubriek { ${codes} }
        ?post onz-g:partOf ?rubriek ; onz-g:isAbout/onz-g:hasQuality/onz-g:hasQualityValue/onz-g:hasDataValue ?bedrag . }`;
    const [of151, of43] = [query('onz-fin:PM800000'), query('onz-fin:PM423100 onz-fin:PM423110')];
    expect([values(store, of151, 'totaal'), values(store, of43, 'totaal')]).toEqual([['0'], ['100']]);
    add(store, 'http://example.org/post1', `${G}partOf`, nn(`${FIN}PM800000`)); // the tree, materialised
    add(store, 'http://example.org/post2', `${G}partOf`, nn(`${FIN}PM423100`));
    expect([values(store, of151, 'totaal'), values(store, of43, 'totaal')]).toEqual([['100'], ['200']]);
  });

  it.runIf(existsSync(CONFORMANCE))('14: the published 15.1 names only the heading, 4.3 a code beside its heading', () => {
    const text = (id: string) => readFileSync(join(CONFORMANCE, 'nza-kostenonderzoek-1.1.1', 'queries', `${id}.rq`), 'utf8');
    expect(text('15.1').match(/onz-fin:PM\d+/g)).toEqual(['onz-fin:PM800000']);
    expect(text('4.3')).toMatch(/onz-fin:PM423100\b[\s\S]*onz-fin:PM423110\b/);
    expect(text('4.3')).not.toMatch(/DISTINCT/);
  });

  it('16: a DISTINCT over employee and hours before the sum counts two equal shifts once (IGJ aangekondigd 1.2.3)', () => {
    const text = `PREFIX : <http://example.org/>
      SELECT (SUM(?uren) AS ?totaal) WHERE { { SELECT DISTINCT ?medewerker ?uren WHERE { VALUES (?medewerker ?dienst ?uren) { (:p1 :r1 8) (:p1 :r2 8) } } } }`;
    expect(values(new oxigraph.Store(), text, 'totaal')).toEqual(['8']);
  });

  it('16: the slot arithmetic of IGJ aangekondigd 1.4.2 gives a previous-day night ending 07:15 24 hours', () => {
    // The published text's steps for one shift: start on the day before → effective start 07:00; end
    // before start on the clock → end + 24; clamp to 31:00 (07:00 next day).
    const text = `PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
      SELECT ?duur WHERE {
        BIND("2024-02-29T23:00:00"^^xsd:dateTime AS ?start) BIND("2024-03-01T07:15:00"^^xsd:dateTime AS ?eind)
        BIND("2024-03-01"^^xsd:date AS ?peildatum)
        BIND(HOURS(?start) + MINUTES(?start) * 0.0166666667 AS ?s) BIND(HOURS(?eind) + MINUTES(?eind) * 0.0166666667 AS ?e)
        BIND(IF(xsd:date(?start) < ?peildatum, 7.0, ?s) AS ?eff_start)
        BIND(IF(?e < ?s, ?e + 24.0, ?e) AS ?eff_end)
        BIND(IF(?eff_end > 31.0, 31.0, ?eff_end) - ?eff_start AS ?duur) }`;
    expect(Number(values(new oxigraph.Store(), prepareQuery(text, [], {}).engineText, 'duur')[0])).toBe(24);
  });

  it.runIf(existsSync(CONFORMANCE))('16: the published texts: 1.2.3 sums over a SELECT DISTINCT without COALESCE, 1.4.2 clamps at 31.0', () => {
    const text = (id: string) => readFileSync(join(CONFORMANCE, 'igj-aangekondigd-1.0.0', 'queries', `${id}.rq`), 'utf8');
    expect(text('1.2.3')).toMatch(/SELECT DISTINCT\s+\?medewerker\s+\?kwalificatie_niveau\s+\?onbepaald/);
    expect(text('1.2.3')).not.toMatch(/COALESCE/);
    expect(text('1.4.2')).toMatch(/IF\(\?is_prev_day, 7\.0/);
    expect(text('1.4.2')).toMatch(/IF\(\?eff_end_raw > 31\.0, 31\.0/);
  });

  it.runIf(existsSync(CONFORMANCE))('8: the published 10.2 names the codes without PM, 10.3 with it', () => {
    const text = (id: string) => readFileSync(join(CONFORMANCE, 'nza-kostenonderzoek-1.1.1', 'queries', `${id}.rq`), 'utf8');
    expect(text('10.2')).toMatch(/onz-fin:480012\b/);
    expect(text('10.2')).not.toContain('onz-fin:PM');
    expect(text('10.3')).toMatch(/onz-fin:PM480012\b/);
  });

  it('9: a parameter whose only use is commented out is reported as unused', () => {
    const text = 'SELECT ?v WHERE {\n  #BIND("000000000001" AS ?target)\n  ?x <http://example.org/nr> ?v .\n  #FILTER(?v = ?target)\n}';
    expect(activateParameters(text, [{ name: 'vestigingsnummer', type: 'string' }], { vestigingsnummer: '000000000001' }).unused).toEqual(['vestigingsnummer']);
  });

  it.runIf(existsSync(CONFORMANCE))('9: the published texts: parameters without effect and hard-coded periods', () => {
    const dir = tempDir('ds-profiles-');
    const igj = installProfile(join(CONFORMANCE, 'igj-aangekondigd-1.0.0'), dir);
    const nza = installProfile(join(CONFORMANCE, 'nza-kostenonderzoek-1.1.1'), dir);
    const registry = ProfileRegistry.load([dir]);
    const unused = (profile: string, id: string, v: Record<string, unknown>) => {
      const ind = registry.indicator(profile, id);
      return prepareQuery(ind.text, ind.parameters, v).unusedParameters;
    };
    for (const id of ['1.1.2', '1.2.1']) expect(unused(igj.id, id, { peildatum: '2024-06-30', vestigingsnummer: '000012345601' })).toEqual(['vestigingsnummer']);
    expect(unused(nza.id, '3.2', { start_periode_datum: '2024-01-01', eind_periode_datum: '2024-12-31' })).toEqual(['start_periode_datum', 'eind_periode_datum']);
    expect(registry.indicator(nza.id, '1.1').parameters).toEqual([]);
    expect(registry.indicator(nza.id, '1.1').text).toContain('BIND("2023-01-01"^^xsd:date AS ?start_periode)');
  });

  it('10: the IGJ example vestigingsnummer fails the IGJ shape pattern', () => {
    expect(() => renderValue({ name: 'vestigingsnummer', type: 'string', pattern: '^[0-9]{12}$' }, '000001254')).toThrow(/does not match/);
  });

  it('11: one subClassOf step to OccupationalPositionRole needs the reflexive TBox triple (rdfs10)', () => {
    const store = new oxigraph.Store();
    const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
    const OPR = `${G}OccupationalPositionRole`, ZF = `${PERS}ZorgverlenerFunctie`;
    add(store, ZF, `${RDFS}subClassOf`, nn(OPR));
    add(store, 'http://example.org/kok', RDF_TYPE, nn(OPR)); // non-care
    add(store, 'http://example.org/verzorgende', RDF_TYPE, nn(OPR)); // care, materialised superclass
    add(store, 'http://example.org/verzorgende', RDF_TYPE, nn(ZF));
    // The shape of NZa Wmg 1.1.2: per function, MAX(care) = 0 over its one-step classes.
    const nonCare = `SELECT ?f WHERE { ?f a ?c . ?c <${RDFS}subClassOf> <${OPR}> BIND(IF(?c = <${ZF}>, 1, 0) AS ?z) } GROUP BY ?f HAVING (MAX(?z) = 0)`;
    expect(values(store, nonCare, 'f')).toEqual([]);
    add(store, OPR, `${RDFS}subClassOf`, nn(OPR));
    expect(values(store, nonCare, 'f')).toEqual(['http://example.org/kok']);
  });

  it('11: IGJ 1.2.1 counts agreement types one step below WerkOvereenkomst: needs the rdfs11 closure', () => {
    const store = new oxigraph.Store();
    const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
    const [WO, AO, AOO] = ['WerkOvereenkomst', 'ArbeidsOvereenkomst', 'ArbeidsOvereenkomstOnbepaaldeTijd'].map((c) => `${PERS}${c}`) as [string, string, string];
    add(store, AO, `${RDFS}subClassOf`, nn(WO));
    add(store, AOO, `${RDFS}subClassOf`, nn(AO));
    add(store, 'http://example.org/a1', RDF_TYPE, nn(AOO));
    add(store, 'http://example.org/a1', RDF_TYPE, nn(AO)); // materialised superclass, as imported
    const perType = `SELECT ?t WHERE { ?t <${RDFS}subClassOf> <${WO}> FILTER(?t != <${AO}> && ?t != <${WO}>) ?a a ?t }`;
    expect(values(store, perType, 't')).toEqual([]);
    add(store, AOO, `${RDFS}subClassOf`, nn(WO));
    expect(values(store, perType, 't')).toEqual([AOO]);
  });
});
