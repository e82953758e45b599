// Identifiers (VP jti, envelope jti) seen before are refused until they have expired anyway.
// Kept in memory: after a restart a presentation could be replayed within its short lifetime
// only if the token endpoint and the message replay cache were both lost with it.
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 1_000_000) {}

  /** Record `id` as used until `until` (epoch seconds); false when it was already used. */
  use(id: string, until: number, now: number): boolean {
    const previous = this.seen.get(id);
    if (previous !== undefined && previous > now) return false;
    if (this.seen.size >= this.maxEntries) this.sweep(now);
    if (this.seen.size >= this.maxEntries) throw new Error('replay cache full');
    this.seen.set(id, until);
    return true;
  }

  sweep(now: number): void {
    for (const [id, until] of this.seen) if (until <= now) this.seen.delete(id);
  }
}
