// A generation's loaded Oxigraph store saved as an image of its WebAssembly memory: a fresh worker
// restores it with a file read instead of parsing and indexing the N-Triples again (about 10× faster
// at 10k employees, see bench/serve.ts). The image is a cache: written once per generation, beside
// its files, atomically (temp file, fsync, rename), checked against the oxigraph build that wrote it
// and the generation it holds, checksummed; anything that does not match is ignored and the
// N-Triples are parsed as before. The N-Triples (sha256 in the manifest) stay the dataset of record;
// the image's CRC-32 is there to catch a damaged file, at 2.5× the speed of sha256 (restart time).
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import type oxigraph from 'oxigraph';
import { fsyncDir, writeAll } from './files.js';
import type { OxigraphRuntime } from './oxigraph-runtime.js';

export const IMAGE_FILE = 'store.image';
const MAGIC = 'kikv-oxigraph-image-1';
const HEADER_BYTES = 4096;
const CHUNK = 16 << 20;
const PAGE = 65536;

interface Header {
  magic: string;
  version: string;
  generation: string;
  triples: number;
  /** The Store's pointer into the memory (wasm-bindgen's `__wbg_ptr`). */
  pointer: number;
  memoryBytes: number;
  tableLength: number;
  crc32: number;
}

type Opened = Header & { path: string };

export class ImageError extends Error {}

function pointerOf(store: oxigraph.Store): number {
  const ptr = (store as unknown as { __wbg_ptr?: unknown }).__wbg_ptr;
  if (typeof ptr !== 'number' || ptr <= 0) throw new ImageError('not a wasm-bindgen store');
  return ptr;
}

/**
 * Write the image of `store` (the only store in this instance that matters) into `dir`. Call it
 * between engine calls (never during one): then the stack is unwound and the memory is consistent.
 */
export function writeImage(dir: string, rt: OxigraphRuntime, generation: string, store: oxigraph.Store): number {
  if (!rt.instance) throw new ImageError('oxigraph instance not captured');
  const { memory, table } = rt.instance;
  for (const f of readdirSync(dir).filter((f) => f.startsWith(`${IMAGE_FILE}.tmp-`))) rmSync(join(dir, f), { force: true });
  const bytes = new Uint8Array(memory.buffer);
  let crc = 0;
  const tmp = join(dir, `${IMAGE_FILE}.tmp-${process.pid}-${Date.now()}`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeAll(fd, Buffer.alloc(HEADER_BYTES));
    for (let off = 0; off < bytes.length; off += CHUNK) {
      const part = Buffer.from(bytes.buffer, off, Math.min(CHUNK, bytes.length - off)); // a view, no copy
      crc = crc32(part, crc);
      writeAll(fd, part);
    }
    const header: Header = {
      magic: MAGIC, version: rt.version, generation, triples: store.size, pointer: pointerOf(store),
      memoryBytes: bytes.length, tableLength: table.length, crc32: crc,
    };
    const text = Buffer.from(JSON.stringify(header));
    if (text.length > HEADER_BYTES) throw new ImageError('header too long');
    const head = Buffer.alloc(HEADER_BYTES, 0x20);
    text.copy(head);
    for (let at = 0; at < HEADER_BYTES; ) {
      const n = writeSync(fd, head, at, HEADER_BYTES - at, at);
      if (n <= 0) throw new ImageError('short write: no progress (disk full?)');
      at += n;
    }
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, join(dir, IMAGE_FILE));
  fsyncDir(dir);
  // Only the generation being served needs one (each is as large as the store): drop the others'.
  const all = dirname(dir);
  for (const other of readdirSync(all)) if (join(all, other) !== dir) rmSync(join(all, other, IMAGE_FILE), { force: true });
  return HEADER_BYTES + bytes.length;
}

/** The header, or undefined when it is short, unreadable or not one of ours. */
function readHeader(fd: number): Header | undefined {
  const head = Buffer.alloc(HEADER_BYTES);
  if (readSync(fd, head, 0, HEADER_BYTES, 0) !== HEADER_BYTES) return undefined;
  let h: Partial<Header>;
  try {
    h = JSON.parse(head.toString('utf8').trimEnd()) as Partial<Header>;
  } catch {
    return undefined;
  }
  const numbers = [h.triples, h.pointer, h.memoryBytes, h.tableLength, h.crc32];
  if (h.magic !== MAGIC || !numbers.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) return undefined;
  return h as Header;
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n <= 0) throw new ImageError('image shorter than its header says');
    done += n;
  }
}

export interface RestoreOptions {
  generation: string;
  /** Checksum the body before touching the memory (first restore of an image in this process). */
  verify: boolean;
}

/**
 * The store held by the image in `dir`, restored into this thread's fresh oxigraph instance, or
 * undefined when there is no usable image (then nothing was touched: parse the N-Triples instead).
 * Must run before this instance did any real work: it overwrites the whole memory.
 */
export function restoreImage(dir: string, rt: OxigraphRuntime, options: RestoreOptions): oxigraph.Store | undefined {
  const path = join(dir, IMAGE_FILE);
  if (!rt.instance || !existsSync(path)) return undefined;
  const { memory, table } = rt.instance;
  const fd = openSync(path, 'r');
  try {
    const h = readHeader(fd);
    if (!h || h.version !== rt.version || h.generation !== options.generation) return undefined;
    if (h.memoryBytes % PAGE !== 0 || h.memoryBytes < memory.buffer.byteLength || h.tableLength < table.length) return undefined;
    if (options.verify) {
      let crc = 0;
      const buf = Buffer.allocUnsafe(CHUNK);
      for (let off = 0; off < h.memoryBytes; off += CHUNK) {
        const part = buf.subarray(0, Math.min(CHUNK, h.memoryBytes - off));
        readFully(fd, part, HEADER_BYTES + off);
        crc = crc32(part, crc);
      }
      if (crc !== h.crc32) return undefined;
    }
    // From here the instance is committed to the image: a failure leaves it unusable (the worker
    // dies, see below) and the image goes, so that the next worker parses instead.
    return commit(fd, { ...h, path }, rt);
  } finally {
    closeSync(fd);
  }
}

function commit(fd: number, h: Opened, rt: OxigraphRuntime): oxigraph.Store {
  const { memory, table } = rt.instance!;
  try {
    memory.grow((h.memoryBytes - memory.buffer.byteLength) / PAGE);
    if (table.length < h.tableLength) table.grow(h.tableLength - table.length);
    // Through a staging buffer, copying only pages that are not all zero: the grown memory is zero
    // already, and pages the store never used stay untouched (not resident).
    const bytes = new Uint8Array(memory.buffer);
    const stage = Buffer.allocUnsafe(CHUNK);
    const zero = Buffer.alloc(PAGE);
    for (let off = 0; off < h.memoryBytes; off += CHUNK) {
      const part = stage.subarray(0, Math.min(CHUNK, h.memoryBytes - off));
      readFully(fd, part, HEADER_BYTES + off);
      for (let p = 0; p < part.length; p += PAGE) {
        const page = part.subarray(p, p + PAGE);
        if (!page.equals(zero)) bytes.set(page, off + p);
      }
    }
    const store = Object.create(rt.oxigraph.Store.prototype) as oxigraph.Store;
    (store as unknown as { __wbg_ptr: number }).__wbg_ptr = h.pointer;
    if (store.size !== h.triples) throw new ImageError(`restored store has ${store.size} triples, image says ${h.triples}`);
    return store;
  } catch (error) {
    rmSync(h.path, { force: true });
    throw error;
  }
}
