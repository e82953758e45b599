// A SPARQL protocol response as the rows the embedded store returns: SELECT → Map rows (parsed as
// the bytes arrive by sparqljson-parse), ASK → boolean, CONSTRUCT/DESCRIBE → quads (n3's stream
// parser). Bytes and rows are counted on the way, so an oversized answer is dropped early
// instead of being buffered.
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Quad, Term } from '@rdfjs/types';
import { StreamParser } from 'n3';
import { SparqlJsonParser } from 'sparqljson-parse';
import type { QueryResult } from '../store.js';

export class ResultLimitError extends Error {
  constructor(readonly limit: 'bytes' | 'rows', detail: string) {
    super(detail);
  }
}

/** Passes bytes through, failing once more than `max` went by. */
function byteCap(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > max) done(new ResultLimitError('bytes', `response over ${max} bytes`));
      else done(null, chunk);
    },
  });
}

export interface ParseLimits {
  maxBytes: number;
  rowCap: number;
}

const parser = new SparqlJsonParser({ prefixVariableQuestionMark: false });

export type ResultKind = 'bindings' | 'boolean' | 'quads';

/** The response body (already checked for status 2xx) as the embedded store's result shape. */
export async function parseResponse(body: WebReadableStream<Uint8Array>, kind: ResultKind, limits: ParseLimits): Promise<QueryResult> {
  const source = Readable.fromWeb(body);
  const bytes = source.pipe(byteCap(limits.maxBytes));
  // An error on the source (abort, reset) must reach the parser's side too.
  source.on('error', (error) => bytes.destroy(error));
  if (kind === 'boolean') return parser.parseJsonBooleanStream(bytes);
  if (kind === 'quads') {
    const quads: Quad[] = [];
    await collect(bytes.pipe(new StreamParser({ format: 'application/n-triples' })), bytes, (q: Quad) => {
      quads.push(q);
      return quads.length <= limits.rowCap;
    }, limits.rowCap);
    return quads;
  }
  const rows: Map<string, Term>[] = [];
  await collect(parser.parseJsonResultsStream(bytes) as unknown as Readable, bytes, (b: Record<string, Term>) => {
    rows.push(new Map(Object.entries(b)));
    return rows.length <= limits.rowCap;
  }, limits.rowCap);
  return rows;
}

function collect<T>(stream: Readable, source: Readable, onItem: (item: T) => boolean, rowCap: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      source.destroy();
      reject(error);
    };
    source.on('error', fail);
    stream.on('error', fail);
    stream.on('data', (item: T) => {
      if (!failed && !onItem(item)) fail(new ResultLimitError('rows', `more than ${rowCap} rows`));
    });
    stream.on('end', () => {
      if (!failed) resolve();
    });
  });
}
