// SPARQL JSON results written by Oxigraph itself (in Rust, inside the engine) instead of term by
// term in JavaScript: every property of an Oxigraph term is a call across the WebAssembly
// boundary, which made serialising a large result cost more than running the query. The text is
// cut into chunks here; the row count (row cap, audit) is read from the text.

/** A SELECT (after comments, PREFIX and BASE): the only form written natively. */
const SELECT = /^(?:\s+|#[^\n]*(?:\n|$)|PREFIX\s*[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)*SELECT\b/i;
export const isSelect = (text: string): boolean => SELECT.test(text);

const RESULTS = ',"results":{"bindings":[';

/**
 * The text's head replaced by one with `vars` (our projection order), or undefined when the
 * engine's variables are not all among them (the caller serialises in JavaScript then).
 */
export function splitHead(json: string, vars: string[]): { head: string; from: number } | undefined {
  const at = json.indexOf(RESULTS);
  if (at < 0) return undefined;
  const engineVars = (JSON.parse(json.slice(0, at) + '}') as { head: { vars: string[] } }).head.vars;
  if (!vars.length) return { head: json.slice(0, at), from: at };
  const ours = new Set(vars);
  if (!engineVars.every((v) => ours.has(v))) return undefined;
  return { head: `{"head":{"vars":${JSON.stringify(vars)}}`, from: at };
}

/** Rows of the bindings array: objects opened at its top level, strings skipped with indexOf. */
export function countBindings(json: string, from: number): number {
  let i = from + RESULTS.length;
  let depth = 0, rows = 0;
  const end = json.length;
  while (i < end) {
    const c = json.charCodeAt(i);
    if (c === 34) {
      let j = i + 1;
      for (;;) {
        j = json.indexOf('"', j);
        if (j < 0) return rows;
        let k = j - 1;
        while (json.charCodeAt(k) === 92) k--;
        if ((j - 1 - k) % 2 === 0) break; // an even run of backslashes: the quote is not escaped
        j++;
      }
      i = j + 1;
      continue;
    }
    if (c === 123) {
      if (depth === 0) rows++;
      depth++;
    } else if (c === 125) depth--;
    else if (c === 93 && depth === 0) break;
    i++;
  }
  return rows;
}

/** Chunks of about `size` characters, never between the two halves of a surrogate pair. */
export function* textChunks(head: string, json: string, from: number, size = 64 * 1024): Generator<string> {
  let i = from;
  let first = true;
  while (i < json.length || first) {
    let end = Math.min(i + size, json.length);
    const c = json.charCodeAt(end - 1);
    if (end < json.length && c >= 0xd800 && c <= 0xdbff) end = end - 1 > i ? end - 1 : end + 1;
    yield (first ? head : '') + json.slice(i, end);
    first = false;
    i = end;
  }
}
