// SHACL over the produced graph, with shacl-engine. Findings are traced back to the source row
// that created the focus node, so the report says where to fix the export.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFactory, Parser, Store } from 'n3';
import Validator from 'shacl-engine/Validator.js';
import type { Quad, Term } from '@rdfjs/types';

export interface ShaclFinding {
  severity: 'violation' | 'warning' | 'info';
  focusNode: string;
  path: string;
  value?: string;
  message: string;
  shape: string;
  /** Where the focus node came from, when it was minted by a mapped row. */
  source?: { file: string; row: number; entity: string };
}

// shacl-engine ships without types; this is the part of its result we read.
interface EngineResult {
  severity: Term;
  focusNode: { term: Term };
  path?: { predicates: Term[] }[] | null;
  value?: { term: Term } | null;
  message: Term[];
  shape: { ptr: { term: Term } };
  constraintComponent: Term;
}

export function loadShapes(ontologyDir: string): Quad[] {
  const dir = join(ontologyDir, 'shapes');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ttl'))
    .sort()
    .flatMap((f) => new Parser().parse(readFileSync(join(dir, f), 'utf8')));
}

function local(iri: string): string {
  return iri.replace(/^.*[#/]/, '');
}

const SH = 'http://www.w3.org/ns/shacl#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

/**
 * High-volume event data (worked and paid periods: one per person per booking) whose structure the
 * mapping already guarantees row by row. The validator sees only their references (the objects
 * of sh:targetObjectsOf predicates, once per distinct object), which keeps SHACL linear in the
 * number of entities rather than events.
 */
export const BULK_CLASSES = ['http://purl.org/ozo/onz-pers#GewerktePeriode', 'http://purl.org/ozo/onz-fin#VerloondePeriode'];

/** Only what a shape can look at: rdf:type and the predicates on shape paths and targets. */
function relevantData(shapes: Quad[], data: Iterable<Quad>): Quad[] {
  const onPaths = new Set([RDF_TYPE]);
  const objectTargets = new Set<string>();
  for (const q of shapes) {
    if (q.object.termType !== 'NamedNode') continue;
    if (q.predicate.value === SH + 'path' || q.predicate.value === 'http://www.w3.org/1999/02/22-rdf-syntax-ns#first') onPaths.add(q.object.value);
    if (q.predicate.value === SH + 'targetObjectsOf') objectTargets.add(q.object.value);
  }
  const quads = Array.isArray(data) ? (data as Quad[]) : [...data];
  const bulk = new Set<string>();
  const bulkClasses = new Set(BULK_CLASSES);
  for (const q of quads) if (q.predicate.value === RDF_TYPE && bulkClasses.has(q.object.value)) bulk.add(q.subject.value);
  const seenTargets = new Set<string>();
  const out: Quad[] = [];
  for (const q of quads) {
    if (bulk.has(q.subject.value)) {
      if (!objectTargets.has(q.predicate.value)) continue;
      const key = q.predicate.value + ' ' + q.object.value;
      if (seenTargets.has(key)) continue;
      seenTargets.add(key);
      out.push(q);
    } else if (onPaths.has(q.predicate.value) || objectTargets.has(q.predicate.value)) out.push(q);
  }
  return out;
}

export async function validateGraph(
  shapes: Quad[],
  data: Iterable<Quad>,
  provenance: Map<string, { file: string; row: number; entity: string }>,
): Promise<ShaclFinding[]> {
  const dataset = new Store();
  for (const q of relevantData(shapes, data)) dataset.addQuad(q);
  const validator = new Validator(new Store(shapes), { factory: DataFactory });
  const report = (await validator.validate({ dataset })) as { results: EngineResult[] };
  return report.results.map((r) => {
    const focus = r.focusNode.term.value;
    // A focus node no row typed (a dangling reference) is traced to a row that points at it.
    const source =
      provenance.get(focus) ??
      dataset.getQuads(null, null, r.focusNode.term, null).map((q) => provenance.get(q.subject.value)).find((p) => p !== undefined);
    const finding: ShaclFinding = {
      severity: local(r.severity.value).toLowerCase() as ShaclFinding['severity'],
      focusNode: focus,
      path: (r.path ?? []).map((step) => step.predicates.map((p) => local(p.value)).join('|')).join('/'),
      message: r.message.map((m) => m.value).join('; ') || local(r.constraintComponent.value),
      shape: r.shape.ptr.term.termType === 'NamedNode' ? local(r.shape.ptr.term.value) : local(r.constraintComponent.value),
    };
    if (r.value?.term) finding.value = r.value.term.value;
    if (source) finding.source = source;
    return finding;
  });
}
