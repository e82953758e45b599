// Finding the chain head without assuming an entry size: scan backwards from the end in chunks
// for newlines. Entries are capped when written, but a log written before the cap (or by hand)
// may hold longer lines, and those must not make the log unusable.
import { createHash } from 'node:crypto';

export interface ReadIo {
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
}

const CHUNK = 64 * 1024;
const NL = 0x0a;

function readAt(io: ReadIo, fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = io.readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) throw new Error('the audit log ended while being read');
    done += n;
  }
  return buffer;
}

/** Offset just after the last newline in [floor, end), or `floor` when there is none. */
export function lastNewlineEnd(io: ReadIo, fd: number, end: number, floor = 0): number {
  let to = end;
  while (to > floor) {
    const from = Math.max(floor, to - CHUNK);
    const chunk = readAt(io, fd, from, to - from);
    const at = chunk.lastIndexOf(NL);
    if (at >= 0) return from + at + 1;
    to = from;
  }
  return floor;
}

/** The complete line ending (with its newline) at `end`, as bytes. */
export function lineEndingAt(io: ReadIo, fd: number, end: number): Buffer {
  if (end <= 0) return Buffer.alloc(0);
  const start = lastNewlineEnd(io, fd, end - 1);
  return readAt(io, fd, start, end - start);
}

export function readBytes(io: ReadIo, fd: number, position: number, length: number): Buffer {
  return readAt(io, fd, position, length);
}

const CHAIN_FIELDS = new Set(['seq', 'time', 'activity', 'prev', 'hash']);

/**
 * Make an entry body fit `maxBytes` as JSON: the largest detail fields are replaced, one by one,
 * by a marker with their sha256 and size (the evidence stays checkable; the bulk is not kept).
 * Returns undefined when even that does not fit.
 */
export function fitEntry<T extends Record<string, unknown>>(body: T, maxBytes: number): T | undefined {
  const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '');
  // room for the hash field the caller adds: ,"hash":"<64 hex>" and the newline
  const limit = maxBytes - 80;
  if (size(body) <= limit) return body;
  const fitted: Record<string, unknown> = { ...body };
  const candidates = Object.keys(fitted)
    .filter((k) => !CHAIN_FIELDS.has(k))
    .sort((a, b) => size(fitted[b]) - size(fitted[a]));
  for (const key of candidates) {
    const text = JSON.stringify(fitted[key]) ?? '';
    const marker = { truncated: 'audit entry size limit', sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
    fitted[key] = typeof fitted[key] === 'string' ? `[truncated: ${marker.bytes} bytes, sha256 ${marker.sha256}]` : marker;
    if (size(fitted) <= limit) return fitted as T;
  }
  return undefined;
}
