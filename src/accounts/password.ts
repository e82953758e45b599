// Password hashing with node:crypto scrypt: a per-account random salt, the parameters stored with
// the hash (so they can be raised later without breaking old accounts), constant-time compare.
// Hashing runs off the event loop (async scrypt) and at most MAX_PARALLEL at once: each one holds
// 128·N·r bytes (32 MiB at the defaults), so a burst of sign-ins cannot exhaust memory.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface PasswordHash {
  alg: 'scrypt';
  N: number;
  r: number;
  p: number;
  keylen: number;
  salt: string; // base64url
  hash: string; // base64url
}

export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 1024;
export const DEFAULT_PARAMS = { N: 1 << 15, r: 8, p: 1, keylen: 32 } as const;
const MAX_PARALLEL = 2;
const MAX_WAITING = 32;

export class PasswordBusyError extends Error {
  readonly code = 'busy';
}

let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) {
    if (waiting.length >= MAX_WAITING) throw new PasswordBusyError('too many sign-ins at once');
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number; keylen: number }): Promise<Buffer> {
  return slot(
    () =>
      new Promise<Buffer>((resolve, reject) =>
        scrypt(password.normalize('NFC'), salt, params.keylen, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 }, (error, key) =>
          error ? reject(error) : resolve(key),
        ),
      ),
  );
}

/** Why a new password is not acceptable, or undefined. */
export function passwordProblem(password: string): string | undefined {
  if ([...password].length < MIN_PASSWORD) return `the password must be at least ${MIN_PASSWORD} characters`;
  if (password.length > MAX_PASSWORD) return `the password must be at most ${MAX_PASSWORD} characters`;
  return undefined;
}

export async function hashPassword(password: string, params: { N: number; r: number; p: number; keylen: number } = DEFAULT_PARAMS): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return { alg: 'scrypt', ...params, salt: salt.toString('base64url'), hash: key.toString('base64url') };
}

export async function checkPassword(password: string, stored: PasswordHash): Promise<boolean> {
  if (password.length > MAX_PASSWORD) return false;
  const expected = Buffer.from(stored.hash, 'base64url');
  const key = await derive(password, Buffer.from(stored.salt, 'base64url'), { ...stored, keylen: expected.length });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

// An unknown account costs the same work as a wrong password, so timing does not tell them apart.
let dummy: Promise<PasswordHash> | undefined;
export async function burnPasswordCheck(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(18).toString('base64url'));
  await checkPassword(password, await dummy);
  return false;
}
