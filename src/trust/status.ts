// Revocation through status lists (StatusList2021 and W3C Bitstring Status List). The list is a
// credential itself: fetched from its URL (or a local copy), its signature and issuer verified,
// cached for a while. Anything that prevents a clear "not revoked" fails closed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TrustError } from './errors.js';
import { fetchBounded, type FetchLimits } from './fetch.js';
import type { VerifiedJwt } from './jwt.js';
import { LruCache } from './lru.js';

const ENTRY_TYPES: Record<string, string> = {
  StatusList2021Entry: 'StatusList2021',
  BitstringStatusListEntry: 'BitstringStatusList',
};

export interface StatusOptions extends FetchLimits {
  dir: string;
  online: boolean;
  cacheSeconds: number;
  maxEntries: number;
}

/** Where a local copy of the status list at `url` is kept. */
export function statusListFileName(url: string): string {
  return `${createHash('sha256').update(url).digest('hex')}.jwt`;
}

/** Bit `index` of a gzip-compressed, base64url-encoded bitstring; index 0 is the left-most bit. */
export function statusBit(encodedList: string, index: number): boolean {
  const bits = gunzipSync(Buffer.from(encodedList.replace(/^u/, ''), 'base64url'));
  if (index >= bits.length * 8) throw new Error(`index ${index} is outside the list (${bits.length * 8} entries)`);
  return (bits[index >> 3]! & (0x80 >> (index & 7))) !== 0;
}

interface ListClaims {
  type?: string | string[];
  statusPurpose?: string;
  encodedList?: string;
}

export class StatusChecker {
  private readonly cache: LruCache<string, { issuer: string; subject: ListClaims }>;

  constructor(
    private readonly options: StatusOptions,
    private readonly verifyList: (jwt: string, now: number) => Promise<VerifiedJwt>,
  ) {
    this.cache = new LruCache(options.maxEntries);
  }

  get cacheSize(): number {
    return this.cache.size;
  }

  /** Throws unless `status` (a VC's credentialStatus) establishes that the credential is not revoked. */
  async check(status: unknown, credentialIssuer: string, now: number): Promise<void> {
    const entries = Array.isArray(status) ? status : [status];
    for (const entry of entries) await this.checkEntry(entry, credentialIssuer, now);
  }

  private async checkEntry(entry: unknown, credentialIssuer: string, now: number): Promise<void> {
    const e = (entry ?? {}) as Record<string, unknown>;
    const listType = ENTRY_TYPES[String(e.type)];
    const index = Number(e.statusListIndex);
    const url = e.statusListCredential;
    if (!listType || !Number.isInteger(index) || index < 0 || typeof url !== 'string') {
      throw new TrustError('status_unverifiable', `unsupported or incomplete credentialStatus (${String(e.type)})`);
    }
    let list;
    try {
      list = await this.list(url, now);
    } catch (error) {
      throw new TrustError('status_unverifiable', (error as Error).message.slice(0, 200)); // never the URL
    }
    if (list.issuer !== credentialIssuer) throw new TrustError('status_unverifiable', 'the status list has another issuer than the credential');
    const types = [list.subject.type ?? []].flat();
    if (!types.includes(listType)) throw new TrustError('status_unverifiable', `the list is not a ${listType}`);
    const purpose = typeof e.statusPurpose === 'string' ? e.statusPurpose : 'revocation';
    if (list.subject.statusPurpose !== purpose) throw new TrustError('status_unverifiable', `the list's purpose is not ${purpose}`);
    let set: boolean;
    try {
      set = statusBit(list.subject.encodedList ?? '', index);
    } catch (error) {
      throw new TrustError('status_unverifiable', (error as Error).message);
    }
    if (set) throw new TrustError('credential_revoked', `${purpose} bit ${index} is set`);
  }

  private async list(url: string, now: number) {
    const cached = this.cache.get(url, now);
    if (cached) return cached;
    const local = join(this.options.dir, statusListFileName(url));
    let jwt: string;
    if (existsSync(local)) jwt = readFileSync(local, 'utf8').trim();
    else if (this.options.online) jwt = (await fetchBounded(url, this.options, 'application/vc+jwt, application/jwt, text/plain')).trim();
    else throw new Error('no local copy and fetching is off');
    const verified = await this.verifyList(jwt, now);
    const vc = verified.payload.vc as { credentialSubject?: ListClaims } | undefined;
    const entry = { issuer: verified.payload.iss, subject: vc?.credentialSubject ?? {} };
    this.cache.set(url, entry, now + this.options.cacheSeconds);
    return entry;
  }
}
