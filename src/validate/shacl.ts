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

export async function validateGraph(
  shapes: Quad[],
  data: Iterable<Quad>,
  provenance: Map<string, { file: string; row: number; entity: string }>,
): Promise<ShaclFinding[]> {
  const dataset = new Store();
  for (const q of data) dataset.addQuad(q);
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
