// Strings that come from outside (a requester's DID, thread id, parameters, reply_url, reasons, a
// remote datastation's answer) are printed on the operator's terminal only through these: a
// control character or ANSI escape in them would otherwise move the cursor, rewrite earlier
// lines, retitle the window or hide text. Each such character is shown as a visible \uXXXX.

// C0 and C1 controls, DEL, bidi overrides/isolates and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_KEEP_LINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

// What JSON.stringify leaves raw inside strings; outside strings it writes only its own indentation.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

const visible = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** One foreign value on one line: every control character escaped, newlines included; bounded. */
export function printableLine(value: unknown, max = 2000): string {
  return bounded(String(value).replace(UNSAFE, visible), max);
}

/** Foreign text of several lines (a table, an error message): newlines kept, other controls escaped. */
export function printable(value: unknown, max = 2000): string {
  return bounded(String(value).replace(UNSAFE_KEEP_LINES, visible), max);
}

/**
 * JSON for the terminal: JSON.stringify already escapes C0 controls; C1 controls, bidi marks and
 * U+2028/9 are escaped too, so the output parses back to the same value and prints inert.
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, visible);
}

/** JSON text from elsewhere: re-serialised through safeJson when it parses, else shown as plain foreign text. */
export function safeJsonText(text: string, max = 1 << 24): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return printable(text, max);
  }
  return bounded(safeJson(value), max);
}
