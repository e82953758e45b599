// Oxigraph's WebAssembly instance, reached so that a loaded store's memory can be saved to a file and
// restored in a fresh worker (image.ts) instead of re-parsing the generation's N-Triples.
// The npm package builds its instance when first required and does not export it, so the first
// require in this thread happens here, with WebAssembly.Instance wrapped for that one call. When
// oxigraph was already loaded in this thread (someone imported it first), `instance` is undefined
// and callers fall back to parsing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type oxigraphTypes from 'oxigraph';

// The few WebAssembly JS API members used here (the project's TypeScript lib has no DOM types).
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmTable {
  readonly length: number;
  grow(entries: number): number;
}
interface WasmApi {
  Instance: new (module: unknown, imports?: unknown) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => WasmMemory;
  Table: abstract new (...args: never[]) => WasmTable;
}

export interface OxigraphRuntime {
  oxigraph: typeof oxigraphTypes;
  /** The WebAssembly memory and externref table of the instance behind `oxigraph`, when captured. */
  instance?: { memory: WasmMemory; table: WasmTable };
  /** What an image must have been written by: the package version and a hash of its wasm binary. */
  version: string;
}

const require = createRequire(import.meta.url);

function capture(): OxigraphRuntime {
  const id = require.resolve('oxigraph');
  const pkg = (require('oxigraph/package.json') as { version: string }).version;
  const wasm = createHash('sha256').update(readFileSync(join(dirname(id), 'node_bg.wasm'))).digest('hex').slice(0, 16);
  const version = `oxigraph ${pkg} ${wasm}`;
  if (require.cache[id]) return { oxigraph: require('oxigraph') as typeof oxigraphTypes, version };
  const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const Original = wasmApi.Instance;
  let captured: { exports: Record<string, unknown> } | undefined;
  const Capturing = function (module: unknown, imports?: unknown) {
    captured = new Original(module, imports);
    return captured;
  } as unknown as WasmApi['Instance'];
  Capturing.prototype = Original.prototype as unknown;
  wasmApi.Instance = Capturing;
  let oxigraph: typeof oxigraphTypes;
  try {
    oxigraph = require('oxigraph') as typeof oxigraphTypes;
  } finally {
    wasmApi.Instance = Original;
  }
  const exports = captured?.exports ?? {};
  const memory = exports.memory, table = exports.__wbindgen_externrefs;
  if (!(memory instanceof wasmApi.Memory) || !(table instanceof wasmApi.Table)) return { oxigraph, version };
  return { oxigraph, instance: { memory, table }, version };
}

export const runtime: OxigraphRuntime = capture();
