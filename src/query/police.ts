// Policing: a requester's query is parsed with sparqljs and allowed only when it reads the
// datastation's own dataset. Checked on the AST, so nothing hides in nested patterns.
import sparqljs from 'sparqljs';
import { QueryError } from './errors.js';

export interface PoliceLimits {
  maxQueryBytes: number;
  maxDepth: number;
}

// The deepest official query (ZK 18.2) nests 54 levels (long IF chains); 128 leaves room, stops abuse.
export const DEFAULT_LIMITS: PoliceLimits = { maxQueryBytes: 256 * 1024, maxDepth: 128 };

export type ParsedQuery = sparqljs.SparqlQuery;

/**
 * Parse without sparqljs's own scope validation: the official queries reuse SELECT aliases,
 * which SPARQL 1.1 allows (projection is evaluated left to right).
 */
export function parseSparql(text: string): ParsedQuery {
  // skipValidation is a real option of sparqljs 3.7 that its type definitions lack.
  const parser = () => new sparqljs.Parser({ skipValidation: true } as sparqljs.ParserOptions);
  try {
    return parser().parse(text);
  } catch (error) {
    // sparqljs does not decode \u escapes inside IRIs (SPARQL 1.1 §19.2 allows them there); the
    // AST of the decoded text is the same query. The text that runs stays the one given.
    const decoded = decodeIriEscapes(text);
    if (decoded !== text) {
      try {
        return parser().parse(decoded);
      } catch {
        // report the error of the text as given
      }
    }
    throw new QueryError('unparseable_query', (error as Error).message.split('\n')[0]);
  }
}

const IRI_WITH_ESCAPE = /<([^<>"{}|^`\s]*\\[uU][^<>"{}|^`\s]*)>/g;
const ESCAPE = /\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})/g;

function decodeIriEscapes(text: string): string {
  return text.replace(IRI_WITH_ESCAPE, (_, iri: string) => `<${iri.replace(ESCAPE, (e, four?: string, eight?: string) => {
    const code = parseInt(four ?? eight!, 16);
    return code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? e : String.fromCodePoint(code);
  })}>`);
}

/** Walk every object in the AST; the callback sees each node with its depth. */
export function walk(node: unknown, visit: (node: Record<string, unknown>, depth: number) => void, depth = 0): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit, depth);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  visit(record, depth);
  for (const [key, value] of Object.entries(record)) {
    // Terms are leaves; their datatype NamedNode is not a pattern.
    if (key === 'datatype' || key === 'prefixes') continue;
    const nests = key === 'where' || key === 'patterns' || key === 'args' || key === 'expression' || key === 'queries';
    walk(value, visit, nests ? depth + 1 : depth);
  }
}

/** Parse and police a query; returns the AST it allowed. */
export function police(text: string, limits: PoliceLimits = DEFAULT_LIMITS): ParsedQuery {
  if (Buffer.byteLength(text, 'utf8') > limits.maxQueryBytes) {
    throw new QueryError('query_too_large', `${Buffer.byteLength(text, 'utf8')} bytes, limit ${limits.maxQueryBytes}`);
  }
  const ast = parseSparql(text);
  if (ast.type === 'update') throw new QueryError('update_not_allowed');
  if (ast.from && (ast.from.default.length > 0 || ast.from.named.length > 0)) {
    throw new QueryError('dataset_not_allowed', [...ast.from.default, ...ast.from.named].map((n) => n.value).join(', '));
  }
  walk(ast, (node, depth) => {
    if (depth > limits.maxDepth) throw new QueryError('query_too_deep', `depth over ${limits.maxDepth}`);
    if (node.type === 'service') throw new QueryError('service_not_allowed', (node.name as { value?: string } | undefined)?.value);
    if (node.type === 'update' || node.updateType !== undefined) throw new QueryError('update_not_allowed');
  });
  return ast;
}
