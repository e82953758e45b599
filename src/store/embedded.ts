// The embedded default: an Oxigraph store in memory, loaded from the current generation's files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import oxigraph from 'oxigraph';
import { generationsDir, latestGoodGeneration, type Manifest } from './generations.js';
import type { DatasetStore, QueryResult } from './store.js';

export class EmbeddedStore implements DatasetStore {
  readonly kind = 'embedded';

  private constructor(
    private readonly store: oxigraph.Store,
    readonly manifest: Manifest,
  ) {}

  /** Load the newest generation that verifies; `onFallback` hears about skipped broken ones. */
  static async open(dataDir: string, onFallback?: (id: string, error: Error) => void): Promise<EmbeddedStore> {
    const manifest = await latestGoodGeneration(dataDir, onFallback);
    return EmbeddedStore.load(dataDir, manifest);
  }

  static load(dataDir: string, manifest: Manifest): EmbeddedStore {
    const store = new oxigraph.Store();
    for (const f of manifest.files) {
      const bytes = readFileSync(join(generationsDir(dataDir), manifest.id, f.name));
      // no_transaction: bulk load, ~2× faster; the store is not visible to anyone until loaded.
      store.load(bytes, { format: 'application/n-triples', no_transaction: true });
    }
    return new EmbeddedStore(store, manifest);
  }

  get size(): number {
    return this.store.size;
  }

  /** Synchronous and blocking: call it where blocking is fine (a query worker, a CLI). */
  /** A SELECT's results as SPARQL JSON text, written by the engine. */
  querySyncJson(sparql: string): string {
    return this.store.query(sparql, { results_format: 'application/sparql-results+json' }) as string;
  }

  querySync(sparql: string): QueryResult {
    return this.store.query(sparql) as QueryResult;
  }

  query(sparql: string): Promise<QueryResult> {
    try {
      return Promise.resolve(this.querySync(sparql));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
