import type { Quad, Term } from '@rdfjs/types';
import type { Manifest } from './generations.js';

/** SELECT → rows of bindings, ASK → boolean, CONSTRUCT/DESCRIBE → quads. */
export type QueryResult = Map<string, Term>[] | boolean | Quad[];

/**
 * The dataset as the question path sees it: read only. The embedded Oxigraph store implements it
 * today; RemoteStore (store/remote) implements it over a SPARQL 1.1 server.
 */
export interface DatasetStore {
  readonly kind: 'embedded' | 'remote';
  /** The generation being served (id, creation time, ontology versions, sources). */
  readonly manifest: Manifest;
  query(sparql: string): Promise<QueryResult>;
  close(): Promise<void>;
}
