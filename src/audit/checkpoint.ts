// Signed checkpoints of the chain head. The hash chain shows an edit inside the log, but not a log
// cut after its last entry, nor one rewritten from some point on with a fresh, consistent chain.
// A checkpoint is the head (seq, hash), the entry count and the time, signed with the
// organisation's key (a JWT from src/trust, verified here with jose); kept in
// audit/checkpoints.jsonl and, by an auditor, elsewhere. `audit verify` checks the log against them.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { auditFor } from './sink.js';
import { verifyAuditLines, type VerifyResult } from './verify.js';

export interface CheckpointClaims {
  /** Sequence number and hash of the last entry covered; `entries` = seq (the chain starts at 1). */
  seq: number;
  hash: string;
  entries: number;
  time: string;
}

export interface Checkpoint extends CheckpointClaims {
  /** The signed form; the fields beside it are a readable copy, never trusted. */
  jwt: string;
}

/** Signs checkpoint claims as a compact JWT under the organisation's DID (src/trust). */
export interface CheckpointSigner {
  sign(claims: CheckpointClaims): Promise<string>;
}

/** Public keys to check checkpoints with: the organisation's DID document's verification methods. */
export interface CheckpointKeys {
  did: string;
  methods: { id: string; publicKeyJwk?: JWK }[];
}

export const CHECKPOINT_TYPE = 'AuditCheckpoint';

export function checkpointsPath(dataDir: string): string {
  return join(dataDir, 'audit', 'checkpoints.jsonl');
}

export function readCheckpoints(file: string): Checkpoint[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Checkpoint;
      } catch {
        return { seq: NaN, hash: '', entries: NaN, time: 'unreadable line', jwt: '' }; // fails verification, never skipped
      }
    });
}

/**
 * Sign the durable head now and append it to the checkpoints file (fsynced). Undefined when the
 * log is empty or the last checkpoint already covers the head.
 */
export async function writeCheckpoint(dataDir: string, signer: CheckpointSigner): Promise<Checkpoint | undefined> {
  const head = auditFor(dataDir).durableHead();
  const file = checkpointsPath(dataDir);
  const last = readCheckpoints(file).at(-1);
  if (head.seq === 0 || (last && last.seq === head.seq && last.hash === head.hash)) return undefined;
  const claims: CheckpointClaims = { seq: head.seq, hash: head.hash, entries: head.seq, time: new Date().toISOString() };
  const checkpoint: Checkpoint = { ...claims, jwt: await signer.sign(claims) };
  const fd = openSync(file, 'a', 0o600);
  try {
    writeSync(fd, JSON.stringify(checkpoint) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return checkpoint;
}

/** The claims a checkpoint's signature covers, or why it does not verify. */
export async function verifyCheckpoint(checkpoint: Checkpoint, keys: CheckpointKeys): Promise<CheckpointClaims | string> {
  try {
    const { kid } = decodeProtectedHeader(checkpoint.jwt);
    const method = keys.methods.find((m) => m.id === kid && m.publicKeyJwk);
    if (!method) return 'signed with a key that is not in our DID document';
    const { payload } = await jwtVerify(checkpoint.jwt, await importJWK(method.publicKeyJwk!, 'EdDSA'), { issuer: keys.did, algorithms: ['EdDSA'] });
    const vc = payload.vc as { type?: string[]; credentialSubject?: Partial<CheckpointClaims> } | undefined;
    const c = vc?.credentialSubject;
    if (!vc?.type?.includes(CHECKPOINT_TYPE) || !c || typeof c.seq !== 'number' || typeof c.hash !== 'string' || typeof c.entries !== 'number' || typeof c.time !== 'string') return 'not an audit checkpoint';
    return { seq: c.seq, hash: c.hash, entries: c.entries, time: c.time };
  } catch (error) {
    return `its signature does not verify (${(error as Error).message.slice(0, 200)})`;
  }
}

export interface CheckpointReport {
  ok: boolean;
  checked: number;
  problem?: string;
}

/**
 * The log (its head and the hashes at the checkpoints' positions, from verifyAuditLog) against
 * signed checkpoints: a checkpoint beyond the head means entries were cut; a different hash at its
 * position means the log was rewritten, however consistent its chain is now.
 */
export async function checkAgainstCheckpoints(
  log: { head: { seq: number; hash: string }; hashesAt?: Map<number, string> },
  checkpoints: Checkpoint[],
  keys: CheckpointKeys,
): Promise<CheckpointReport> {
  let checked = 0;
  for (const [i, checkpoint] of checkpoints.entries()) {
    const claims = await verifyCheckpoint(checkpoint, keys);
    if (typeof claims === 'string') return { ok: false, checked, problem: `checkpoint ${i + 1} (${String(checkpoint.time)}): ${claims}` };
    if (claims.seq > log.head.seq) {
      return { ok: false, checked, problem: `the log is TRUNCATED: the checkpoint signed at ${claims.time} covers ${claims.entries} entries, the log holds only ${log.head.seq}` };
    }
    if (log.hashesAt?.get(claims.seq) !== claims.hash) {
      return { ok: false, checked, problem: `the log was REWRITTEN: entry ${claims.seq} is not the one the checkpoint signed at ${claims.time} covers` };
    }
    checked++;
  }
  return { ok: true, checked };
}

export interface LogAndCheckpoints {
  /** The chain alone (as verifyAuditLog), without the hashes it collected. */
  chain: Omit<VerifyResult, 'hashesAt'>;
  /** The signed checkpoints against the log; absent when the chain itself is broken. */
  checkpoints?: CheckpointReport;
  /** Both: the chain intact and every checkpoint agreeing with it. */
  ok: boolean;
}

/**
 * What `audit verify` and GET /admin/audit/verify report: the chain, then the log against the
 * signed checkpoints. `keys` is asked only when there are checkpoints; when it fails (no identity)
 * the checkpoints are reported as not checkable, never as agreeing.
 */
export async function verifyLogAndCheckpoints(lines: AsyncIterable<[number, string]>, checkpoints: Checkpoint[], keys: () => CheckpointKeys): Promise<LogAndCheckpoints> {
  const { hashesAt, ...chain } = await verifyAuditLines(lines, new Set(checkpoints.map((c) => c.seq).filter((n) => Number.isInteger(n))));
  if (!chain.ok) return { chain, ok: false };
  if (!checkpoints.length) return { chain, checkpoints: { ok: true, checked: 0 }, ok: true };
  let report: CheckpointReport;
  try {
    report = await checkAgainstCheckpoints({ head: chain.head, ...(hashesAt ? { hashesAt } : {}) }, checkpoints, keys());
  } catch (error) {
    report = { ok: false, checked: 0, problem: `the signed checkpoints cannot be checked: ${(error as Error).message.slice(0, 200)}` };
  }
  return { chain, checkpoints: report, ok: report.ok };
}
