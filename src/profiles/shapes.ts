// The published SHACL parameter shapes (shapes/<indicator>.ttl): one sh:property per parameter,
// with its datatype, range and pattern. We read only what constrains a value; the rest of the
// shape (labels, cardinality 1..1) is how a requester's form is drawn.
import { Parser, type Quad, type Term } from 'n3';
import type { ParameterSpec } from '../query/index.js';

const SH = 'http://www.w3.org/ns/shacl#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const RDF_FIRST = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#first';
const RDF_REST = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#rest';
const RDF_NIL = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#nil';

export type ShapeParameter = Omit<ParameterSpec, 'example'>;

/** The parameters a shapes file declares, by name (sh:name, else the local name of sh:path). */
export function readShapes(turtle: string, file: string): Map<string, ShapeParameter> {
  let quads: Quad[];
  try {
    quads = new Parser().parse(turtle);
  } catch (error) {
    throw new Error(`${file}: not Turtle (${(error as Error).message})`);
  }
  const objects = (s: Term, p: string) => quads.filter((q) => q.subject.equals(s) && q.predicate.value === p).map((q) => q.object);
  const one = (s: Term, p: string) => objects(s, p)[0];
  const list = (head: Term | undefined): Term[] => {
    const items: Term[] = [];
    for (let node = head, guard = 0; node && node.value !== RDF_NIL && guard < 1000; guard++) {
      const first = one(node, RDF_FIRST);
      if (first) items.push(first);
      node = one(node, RDF_REST);
    }
    return items;
  };
  const found = new Map<string, ShapeParameter>();
  for (const q of quads.filter((q) => q.predicate.value === `${SH}property`)) {
    const node = q.object;
    const path = one(node, `${SH}path`)?.value;
    const name = one(node, `${SH}name`)?.value ?? path?.replace(/^.*[#/]/, '');
    if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
    const datatype = one(node, `${SH}datatype`)?.value;
    const spec: ShapeParameter = { name, type: 'string' };
    const description = one(node, `${SH}description`)?.value;
    if (description) spec.description = description;
    const [lo, hi] = [one(node, `${SH}minInclusive`)?.value, one(node, `${SH}maxInclusive`)?.value];
    if (datatype === `${XSD}date`) {
      spec.type = 'date';
      if (lo && /^\d{4}-\d{2}-\d{2}$/.test(lo)) spec.minDate = lo;
      if (hi && /^\d{4}-\d{2}-\d{2}$/.test(hi)) spec.maxDate = hi;
    } else if (datatype === `${XSD}gYear` || datatype === `${XSD}integer` || datatype === `${XSD}int`) {
      // The queries use a year as a number (STR(?jaar), ?jaar - 1), so a gYear is rendered as one.
      spec.type = 'integer';
      if (lo && /^-?\d+$/.test(lo)) spec.min = Number(lo);
      if (hi && /^-?\d+$/.test(hi)) spec.max = Number(hi);
    } else if (one(node, `${SH}class`) || one(node, `${SH}nodeKind`)?.value === `${SH}IRI`) {
      spec.type = 'iri';
    }
    const pattern = one(node, `${SH}pattern`)?.value;
    if (pattern) spec.pattern = pattern;
    const allowed = list(one(node, `${SH}in`)).map((t) => t.value);
    if (allowed.length) spec.enum = allowed;
    found.set(name, spec);
  }
  return found;
}
