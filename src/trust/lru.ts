// A bounded cache with expiry: at most `maxEntries` entries, the least recently used one evicted
// first. Every cache an outsider can make grow (DID documents, keys, status lists, tokens) is one,
// so memory stays bounded whatever arrives.
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error(`cache size must be a positive integer (${maxEntries})`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value, unless missing or expired at `now` (same unit as `until`). */
  get(key: K, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= now) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry.value;
  }

  set(key: K, value: V, until: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Drop what has expired at `now`. */
  sweep(now: number): void {
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
  }
}
