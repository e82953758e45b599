// The embedded default: an Oxigraph store in memory, loaded from the current generation's files,
// or restored from the generation's store image (image.ts) when one matches.
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type oxigraph from 'oxigraph';
import { runtime } from './oxigraph-runtime.js';
import { generationsDir, latestGoodGeneration, type Manifest } from './generations.js';
import { ImageError, restoreImage, writeImage } from './image.js';
import type { DatasetStore, QueryResult } from './store.js';

const CHUNK = 4 << 20;

/**
 * The file in chunks: Store.load copies a Buffer it is given whole into WebAssembly memory, which
 * never shrinks: one 600 MB file left 2.1 GB of memory behind at 10k employees, 1.6 GB in chunks.
 */
function* fileChunks(path: string): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n <= 0) return;
      yield n === CHUNK ? buf : buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

export interface LoadOptions {
  /** Restore from the generation's image when it matches (only in a fresh worker or process). */
  readImage?: boolean;
  /** Checksum the image before restoring it (the first restore of it in this process). */
  verifyImage?: boolean;
  /** After parsing, write the image for the next worker or restart (errors are reported, not thrown). */
  writeImage?: boolean;
}

export interface LoadReport {
  source: 'image' | 'parse';
  ms: number;
  imageWritten?: boolean;
  imageError?: string;
}

export class EmbeddedStore implements DatasetStore {
  readonly kind = 'embedded';

  private constructor(
    private readonly store: oxigraph.Store,
    readonly manifest: Manifest,
    readonly report: LoadReport,
  ) {}

  /** Load the newest generation that verifies; `onFallback` hears about skipped broken ones. */
  static async open(dataDir: string, onFallback?: (id: string, error: Error) => void): Promise<EmbeddedStore> {
    const manifest = await latestGoodGeneration(dataDir, onFallback);
    return EmbeddedStore.load(dataDir, manifest);
  }

  static load(dataDir: string, manifest: Manifest, options: LoadOptions = {}): EmbeddedStore {
    const started = performance.now();
    const dir = join(generationsDir(dataDir), manifest.id);
    const restored = options.readImage ? restoreImage(dir, runtime, { generation: manifest.id, verify: options.verifyImage ?? true }) : undefined;
    if (restored) return new EmbeddedStore(restored, manifest, { source: 'image', ms: performance.now() - started });
    const store = new runtime.oxigraph.Store();
    for (const f of manifest.files) {
      // One transaction per file, not no_transaction's bulk load: the bulk loader is ~1.5× faster
      // but leaves 1.6 GB of WebAssembly memory at 10k employees against 1.4 GB (memory never
      // shrinks, and the image and every restore carry it). Parsing happens once per generation.
      // lenient: the importer wrote and validated these files and their hashes were checked.
      store.load(fileChunks(join(dir, f.name)), { format: 'application/n-triples', lenient: true });
    }
    const report: LoadReport = { source: 'parse', ms: performance.now() - started };
    if (options.writeImage) {
      try {
        writeImage(dir, runtime, manifest.id, store);
        report.imageWritten = true;
      } catch (error) {
        // a cache: a full disk or a read-only data folder only costs the next start its speed
        report.imageError = error instanceof ImageError || error instanceof Error ? error.message : String(error);
      }
    }
    return new EmbeddedStore(store, manifest, report);
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
