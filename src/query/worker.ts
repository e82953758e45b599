// A query worker: holds one generation of the dataset in its own Oxigraph store and runs one query
// at a time. It can be terminated at any moment (deadline) without harming the server.
// First import: oxigraph's WebAssembly instance must be created (and captured) by the runtime
// module, so that this fresh worker can restore a store image into it.
import '../store/oxigraph-runtime.js';
import { parentPort } from 'node:worker_threads';
import type { Quad, Term } from '@rdfjs/types';
import { Writer } from 'n3';
// not the store index: a worker needs neither the remote store nor the importer's helpers
import { EmbeddedStore, type LoadReport } from '../store/embedded.js';
import { readManifest } from '../store/generations.js';
import { chunks, serializer, type ResultFormat } from './serialize.js';
import { countBindings, isSelect, splitHead, textChunks } from './native-json.js';

export type ToWorker =
  | { type: 'load'; dataDir: string; generation: string; image: { read: boolean; verify: boolean; write: boolean } }
  | { type: 'run'; id: number; text: string; format: ResultFormat; vars: string[]; rowCap: number }
  | { type: 'more'; id: number }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'ready'; generation: string; triples: number; load: LoadReport }
  /** `result` on the first chunk only: the size of the result the chunks serialise. */
  | { type: 'chunk'; id: number; data: string; result?: { rows: number; engineMs: number } }
  /** `data`: the whole result when it is one chunk (one message instead of chunk, more, end). */
  | { type: 'end'; id: number; rows: number; engineMs: number; data?: string }
  | { type: 'error'; id: number; code: 'result_too_large' | 'engine_failure' | 'unparseable_query'; message: string; fatal: boolean };

const port = parentPort!;
let store: EmbeddedStore | undefined;
let pending: { id: number; next: () => void } | undefined;

function post(message: FromWorker): void {
  port.postMessage(message);
}

function* results(result: unknown, format: ResultFormat, vars: string[]): Generator<string> {
  if (typeof result === 'boolean') {
    yield serializer(format).boolean(result);
    return;
  }
  const list = result as (Map<string, Term> | Quad)[];
  if (list.length && !(list[0] instanceof Map)) {
    const writer = new Writer({ format: 'N-Triples' });
    let buf = '';
    for (const q of list as Quad[]) {
      buf += writer.quadToString(q.subject, q.predicate, q.object);
      if (buf.length > 64 * 1024) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
    return;
  }
  const rows = list as Map<string, Term>[];
  const names = vars.length ? vars : [...new Set(rows.flatMap((r) => [...r.keys()]))];
  yield* chunks(serializer(format), names, rows);
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'load') {
    const { image } = message;
    store = EmbeddedStore.load(message.dataDir, readManifest(message.dataDir, message.generation), { readImage: image.read, verifyImage: image.verify, writeImage: image.write });
    post({ type: 'ready', generation: message.generation, triples: store.size, load: store.report });
    return;
  }
  if (message.type === 'more') {
    if (pending?.id === message.id) pending.next();
    return;
  }
  if (message.type === 'cancel') {
    if (pending?.id === message.id) pending = undefined; // the result can go
    return;
  }
  const { id, text, format, vars, rowCap } = message;
  const started = performance.now();
  let result: unknown;
  let native: { json: string; head: string; from: number } | undefined;
  try {
    if (format === 'json' && isSelect(text)) {
      const json = store!.querySyncJson(text);
      const split = splitHead(json, vars);
      if (split) native = { json, ...split };
    }
    if (!native) result = store!.querySync(text);
  } catch (error) {
    const msg = (error as Error).message;
    // A WebAssembly trap leaves the store unusable: say so, and let the pool replace this worker.
    const fatal = (error as Error).name === 'RuntimeError' || /unreachable|memory access out of bounds/i.test(msg);
    post({ type: 'error', id, code: fatal ? 'engine_failure' : 'unparseable_query', message: msg, fatal });
    return;
  }
  const engineMs = performance.now() - started;
  const rows = native ? countBindings(native.json, native.from) : Array.isArray(result) ? result.length : 1;
  if (rows > rowCap) {
    post({ type: 'error', id, code: 'result_too_large', message: `${rows} rows, cap ${rowCap}`, fatal: false });
    return;
  }
  const it = native ? textChunks(native.head, native.json, native.from) : results(result, format, vars);
  // A result of one chunk goes with `end`: each message is a hop between threads, and a small
  // answer (most indicators) would otherwise take four of them.
  let step = it.next();
  let following = step.done ? step : it.next();
  if (following.done) {
    post({ type: 'end', id, rows, engineMs, ...(step.done ? {} : { data: step.value }) });
    return;
  }
  let first = true;
  const next = () => {
    if (step.done) {
      pending = undefined;
      post({ type: 'end', id, rows, engineMs });
      return;
    }
    post({ type: 'chunk', id, data: step.value, ...(first ? { result: { rows, engineMs } } : {}) });
    first = false;
    step = following;
    following = following.done ? following : it.next();
  };
  pending = { id, next };
  next();
});
