// The `rdf` source: ONZ RDF produced elsewhere, taken as it is. Named graphs are merged into the
// default graph, which is what the profiles' queries read. A file with a syntax error is
// quarantined whole, with its line: RDF has no rows to keep the rest of.
import { DataFactory } from 'n3';
import { readRdf, RdfSyntaxError } from '../ingest/index.js';
import type { RowProblem, SystemResult } from './map-system.js';

export const RDF_SYSTEM = 'rdf';

export async function mapRdf(files: string[], display: (file: string) => string): Promise<SystemResult> {
  const result: SystemResult = { system: RDF_SYSTEM, quads: [], problems: [], entities: [], provenance: new Map() };
  for (const file of files) {
    try {
      const quads = await readRdf(file);
      for (const q of quads) result.quads.push(q.graph.termType === 'DefaultGraph' ? q : DataFactory.quad(q.subject, q.predicate, q.object));
      result.entities.push({ entity: display(file), files: [display(file)], rowsRead: quads.length, rowsMapped: quads.length, quads: quads.length });
    } catch (error) {
      if (!(error instanceof RdfSyntaxError)) throw error;
      const problem: RowProblem = { system: RDF_SYSTEM, entity: 'rdf', file: display(file), row: error.line, code: 'rdf_syntax', reason: `not valid RDF, file skipped: ${error.message}` };
      result.problems.push(problem);
      result.entities.push({ entity: display(file), files: [display(file)], rowsRead: 0, rowsMapped: 0, quads: 0 });
    }
  }
  return result;
}
