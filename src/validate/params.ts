// The requester's parameter values against the SHACL shapes a ValidatedQueryCredential carries
// (`paramsSHACL`). The values become a one-node data graph — `<focus> a <ns>Parameters;
// <ns><name> <value>` — typed by the indicator's own parameter specs where it declares them. The
// node and namespace are our convention (the KIK-V form of paramsSHACL is not published: ⚠),
// hence configurable.
import { DataFactory, Parser, Store } from 'n3';
import Validator from 'shacl-engine/Validator.js';
import type { Quad, Term } from '@rdfjs/types';

const XSD = 'http://www.w3.org/2001/XMLSchema#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

export interface ParamsShaclOptions {
  namespace: string;
  targetClass: string;
  focus: string;
}

export type ParamsShaclResult = { ok: true } | { ok: false; reason: 'unreadable' | 'violation'; messages: string[] };

function term(value: string | number | boolean, type: string | undefined): Term {
  if (type === 'iri' && typeof value === 'string') return DataFactory.namedNode(value);
  if (type === 'date') return DataFactory.literal(String(value), DataFactory.namedNode(`${XSD}date`));
  if (typeof value === 'boolean') return DataFactory.literal(String(value), DataFactory.namedNode(`${XSD}boolean`));
  if (typeof value === 'number') return DataFactory.literal(String(value), DataFactory.namedNode(`${XSD}${Number.isInteger(value) ? 'integer' : 'decimal'}`));
  if (type === 'integer' && /^-?\d+$/.test(value)) return DataFactory.literal(value, DataFactory.namedNode(`${XSD}integer`));
  return DataFactory.literal(value);
}

export async function validateParamsShacl(
  shapesTurtle: string,
  values: Record<string, string | number | boolean>,
  types: Record<string, string>,
  options: ParamsShaclOptions,
): Promise<ParamsShaclResult> {
  let shapes: Quad[];
  try {
    shapes = new Parser().parse(shapesTurtle);
  } catch {
    return { ok: false, reason: 'unreadable', messages: ['paramsSHACL is not Turtle'] };
  }
  if (!shapes.some((q) => q.predicate.value.startsWith('http://www.w3.org/ns/shacl#'))) return { ok: false, reason: 'unreadable', messages: ['paramsSHACL holds no SHACL'] };
  const focus = DataFactory.namedNode(options.focus);
  const data = new Store([DataFactory.quad(focus, DataFactory.namedNode(RDF_TYPE), DataFactory.namedNode(options.targetClass))]);
  for (const [name, value] of Object.entries(values)) data.addQuad(DataFactory.quad(focus, DataFactory.namedNode(options.namespace + name), term(value, types[name]) as never));
  const validator = new Validator(new Store(shapes), { factory: DataFactory });
  const report = (await validator.validate({ dataset: data })) as { conforms: boolean; results: { path?: { predicates: Term[] }[] | null; message: Term[] }[] };
  if (report.conforms) return { ok: true };
  // Messages name the parameter, never echo the value.
  const messages = report.results.map((r) => {
    const path = (r.path ?? []).flatMap((s) => s.predicates.map((p) => p.value.replace(options.namespace, ''))).join('/');
    return path ? `?${path}` : 'the parameters';
  });
  return { ok: false, reason: 'violation', messages: [...new Set(messages)] };
}
