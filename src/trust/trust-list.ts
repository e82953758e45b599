// The issuer trust list: which beheerorganisatie DIDs may issue which question-credential types.
// A file the organisation controls (YAML or JSON); re-read within a second of a change on disk.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const trustListSchema = z.object({
  issuers: z
    .array(
      z.object({
        did: z.string().startsWith('did:'),
        name: z.string().optional(),
        credentialTypes: z.array(z.string()).min(1),
      }),
    )
    .default([]),
});

export type TrustListFile = z.infer<typeof trustListSchema>;

export class TrustList {
  private entries = new Map<string, Set<string>>();
  private mtime = -1;
  private checkedAt = 0;

  constructor(private readonly file: string) {}

  /** Whether `did` may issue credentials of `type`. */
  trusts(did: string, type: string): boolean {
    this.refresh();
    return this.entries.get(did)?.has(type) ?? false;
  }

  issuers(): TrustListFile['issuers'] {
    this.refresh();
    return [...this.entries].map(([did, types]) => ({ did, credentialTypes: [...types] }));
  }

  private refresh(): void {
    // At most one stat per second: this runs for every credential on the hot path.
    const now = Date.now();
    if (now - this.checkedAt < 1000) return;
    this.checkedAt = now;
    const mtime = existsSync(this.file) ? statSync(this.file).mtimeMs : 0;
    if (mtime === this.mtime) return;
    const parsed = mtime === 0 ? { issuers: [] } : trustListSchema.parse(parseYaml(readFileSync(this.file, 'utf8')) ?? {});
    this.entries = new Map(parsed.issuers.map((i) => [i.did, new Set(i.credentialTypes)]));
    this.mtime = mtime;
  }
}
