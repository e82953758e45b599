// Durable file writes: temp file, fsync, rename, fsync the folder. A reader never sees a half file.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writer } from 'n3';
import type { Quad } from '@rdfjs/types';

/** All of `buf`, or an error: writeSync may write less than asked (a nearly full disk). */
export function writeAll(fd: number, buf: Buffer): void {
  let offset = 0;
  while (offset < buf.length) {
    const written = writeSync(fd, buf, offset, buf.length - offset);
    if (written <= 0) throw Object.assign(new Error('short write: no progress (disk full?)'), { code: 'ENOSPC' });
    offset += written;
  }
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileDurable(path: string, content: string | Buffer, mode = 0o666): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeAll(fd, typeof content === "string" ? Buffer.from(content, "utf8") : content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

export interface WrittenFile {
  bytes: number;
  sha256: string;
  triples: number;
}

/** Serialise quads as N-Triples in chunks (never one giant string), fsync, and hash on the way. */
export function writeNTriples(path: string, quads: Iterable<Quad>): WrittenFile {
  const writer = new Writer({ format: 'N-Triples' });
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  let bytes = 0, triples = 0, chunk = '';
  const flush = () => {
    const buf = Buffer.from(chunk, 'utf8');
    writeAll(fd, buf);
    hash.update(buf);
    bytes += buf.length;
    chunk = '';
  };
  try {
    for (const q of quads) {
      chunk += writer.quadToString(q.subject, q.predicate, q.object);
      triples++;
      if (chunk.length > 1 << 20) flush();
    }
    flush();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex'), triples };
}
