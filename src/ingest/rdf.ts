// RDF as a source, for organisations that already produce ONZ RDF: Turtle, N-Triples, N-Quads,
// TriG (n3) and RDF/XML (rdfxml-streaming-parser), streamed from disk.
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { StreamParser, type Quad } from 'n3';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import { pathToFileURL } from 'node:url';

const N3_FORMATS: Record<string, string> = {
  '.ttl': 'text/turtle',
  '.nt': 'application/n-triples',
  '.nq': 'application/n-quads',
  '.trig': 'application/trig',
};
const RDFXML = new Set(['.rdf', '.owl']);

export function isRdfFile(file: string): boolean {
  const ext = extname(file).toLowerCase();
  return ext in N3_FORMATS || RDFXML.has(ext);
}

export class RdfSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** All quads of an RDF file; a syntax error rejects the file with its line (the file is all or nothing). */
export function readRdf(file: string): Promise<Quad[]> {
  const ext = extname(file).toLowerCase();
  const base = pathToFileURL(file).href;
  const parser = (RDFXML.has(ext) ? new RdfXmlParser({ baseIRI: base }) : new StreamParser({ format: N3_FORMATS[ext], baseIRI: base })) as unknown as Transform;
  const quads: Quad[] = [];
  return new Promise((resolve, reject) => {
    const fail = (error: Error & { context?: { line?: number } }) => {
      const line = error.context?.line ?? Number(/line (\d+)/i.exec(error.message)?.[1] ?? 0);
      reject(new RdfSyntaxError(file, line, error.message));
    };
    const input: Readable = createReadStream(file);
    input.on('error', fail);
    input
      .pipe(parser)
      .on('data', (q: Quad) => quads.push(q))
      .on('error', fail)
      .on('end', () => resolve(quads));
  });
}
