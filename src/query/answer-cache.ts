// Answers kept per generation. A generation never changes once imported, so the same engine text
// on it gives the same result, whoever asks and however often (an indicator asked by each
// zorgkantoor every quarter): the engine runs it once. Not kept: queries that are not
// deterministic (NOW, RAND, UUID, STRUUID, BNODE), results of more than one chunk, anything of
// another generation than the one served now. Bounded in bytes; least recently used goes first.
// Every question still gets all its audit entries; the `executed` entry says `cached`.
import { createHash } from 'node:crypto';

export interface CachedAnswer {
  data: string;
  rows: number;
  engineMs: number;
}

/** A function whose value differs per call; a match anywhere (even in a string) only means "not cached". */
const NOT_DETERMINISTIC = /\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(/i;

/** Whether a query's answer may be reused on the same generation. */
export function deterministic(text: string): boolean {
  return !NOT_DETERMINISTIC.test(text);
}

export class AnswerCache {
  private readonly entries = new Map<string, CachedAnswer>();
  private bytes = 0;
  private generation = '';
  hits = 0;
  misses = 0;

  /** maxBytes 0: nothing is kept. An entry larger than maxEntryBytes is not kept either. */
  constructor(
    private readonly maxBytes: number,
    private readonly maxEntryBytes = 64 * 1024,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The key of a request: generation, result form and text (hashed: texts may be 256 KiB). */
  key(generation: string, request: { text: string; format: string; vars: readonly string[] }): string | undefined {
    if (this.maxBytes === 0 || !generation || !deterministic(request.text)) return undefined;
    const hash = createHash('sha256').update(request.format).update('\0').update(request.vars.join(',')).update('\0').update(request.text).digest('base64url');
    return `${generation} ${hash}`;
  }

  get(key: string | undefined): CachedAnswer | undefined {
    if (key === undefined) return undefined;
    const hit = this.entries.get(key);
    if (!hit) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // most recently used last
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  /** Keep an answer of `generation` unless another generation is served by now. */
  set(key: string | undefined, generation: string, answer: CachedAnswer): void {
    // the worker's generation: the key's, and still the one served
    if (key === undefined || generation !== this.generation || !key.startsWith(`${generation} `)) return;
    const cost = costOf(key, answer);
    if (cost > this.maxEntryBytes || cost > this.maxBytes) return;
    this.drop(key);
    this.entries.set(key, answer);
    this.bytes += cost;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= costOf(oldest, entry);
    }
  }

  /** A new generation is served: the answers of the previous one go. */
  serve(generation: string): void {
    if (generation === this.generation) return;
    this.generation = generation;
    this.entries.clear();
    this.bytes = 0;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= costOf(key, entry);
  }
}

/** Bytes held for an entry: UTF-16 strings, two bytes a character, plus a little for the object. */
function costOf(key: string, answer: CachedAnswer): number {
  return 2 * (key.length + answer.data.length) + 64;
}
