// Names the operator types that end up in a file name (an identity's alias becomes its did:web
// document's name): a plain name or nothing. Refused, never cleaned up: a cleaned `x/../../identity/did`
// would still be a name the operator did not mean.
import { CliError } from './errors.js';

const PLAIN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
// did:web: host[%3Aport](:segment)*, the segments plain names (did:web spec §3.1).
const DID_WEB = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}(%3A[0-9]{1,5})?(:[A-Za-z0-9][A-Za-z0-9._~-]{0,99})*$/;

export const UNSAFE_NAME = 'unsafe_name';

/** `value` as given, or a refusal (exit 2, code unsafe_name) naming what a name may hold. */
export function safeName(what: string, value: string, kind: 'plain' | 'did-web' = 'plain'): string {
  const ok = kind === 'plain' ? PLAIN.test(value) : DID_WEB.test(value) && !value.split(':').some((s) => s === '.' || s === '..');
  if (!ok) {
    const rule = kind === 'plain' ? 'letters, digits, ".", "_" and "-", starting with a letter or digit' : 'a host name, optionally %3A<port>, and :path segments of letters, digits, ".", "_", "~" and "-"';
    throw new CliError(`${what} must be ${rule} (no "/", "\\" or ".."); refused`, UNSAFE_NAME);
  }
  return value;
}
