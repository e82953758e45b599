// Parameter values against a credential's paramsSHACL with shacl-engine: typed by the indicator's
// specs, violations name the parameter and never echo the value, unreadable shapes are their own case.
import { describe, expect, it } from 'vitest';
import { validateParamsShacl } from '../../src/validate/index.js';
import { testConfig } from '../helpers.js';

const options = testConfig().exchange.paramsShacl;
const SHAPES = `@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix p: <https://kik-v.nl/parameters#> .
p:S a sh:NodeShape ; sh:targetClass p:Parameters ;
  sh:property [ sh:path p:peildatum ; sh:datatype xsd:date ; sh:minCount 1 ] ;
  sh:property [ sh:path p:vestiging ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path p:jaar ; sh:datatype xsd:integer ; sh:maxInclusive 2025 ] .`;
const types = { peildatum: 'date', vestiging: 'iri', jaar: 'integer' };

describe('paramsSHACL', () => {
  it('accepts conforming values, typed by the parameter specs', async () => {
    expect(await validateParamsShacl(SHAPES, { peildatum: '2025-01-01', vestiging: 'https://example/v/1', jaar: 2025 }, types, options)).toEqual({ ok: true });
  });
  it('refuses violations, naming the parameter only', async () => {
    const r = await validateParamsShacl(SHAPES, { peildatum: '2025-01-01', jaar: 2026 }, types, options);
    expect(r).toEqual({ ok: false, reason: 'violation', messages: ['?jaar'] });
    const missing = await validateParamsShacl(SHAPES, { jaar: 2020 }, types, options);
    expect(missing).toMatchObject({ ok: false, messages: ['?peildatum'] });
    const untyped = await validateParamsShacl(SHAPES, { peildatum: 'secret-text', jaar: 2020 }, { ...types, peildatum: 'string' }, options);
    expect(JSON.stringify(untyped)).not.toContain('secret-text');
    expect(untyped.ok).toBe(false);
  });
  it('tells unreadable shapes apart', async () => {
    expect(await validateParamsShacl('not turtle {', {}, {}, options)).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(await validateParamsShacl('<urn:a> <urn:b> <urn:c> .', {}, {}, options)).toMatchObject({ ok: false, reason: 'unreadable' });
  });
});
