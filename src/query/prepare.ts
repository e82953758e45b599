// From a validated query and the requester's parameter values to the text Oxigraph runs:
// activate the declared BINDs, police the result, then apply the compatibility rewrite.
import { compatibleText } from './compat.js';
import { activateParameters, type ParameterSpec } from './params.js';
import { DEFAULT_LIMITS, police, type PoliceLimits } from './police.js';
import { projectedVariables } from './serialize.js';

export interface PreparedQuery {
  /** The validated text with the activated BINDs: what the audit log records. */
  text: string;
  /** The in-memory rewrite that avoids Oxigraph's defects: what runs. */
  engineText: string;
  queryType: 'SELECT' | 'ASK' | 'CONSTRUCT' | 'DESCRIBE';
  vars: string[];
  unusedParameters: string[];
}

// Preparing is deterministic in (text, declarations, values, limits): requesters ask the same
// indicator with the same parameters again and again, and parsing an official query costs ms.
const cache = new Map<string, PreparedQuery>();
const CACHE_SIZE = 256;

export function prepareQuery(validated: string, declared: ParameterSpec[], values: Record<string, unknown>, limits: PoliceLimits = DEFAULT_LIMITS): PreparedQuery {
  const key = JSON.stringify([validated, declared, Object.entries(values).sort(([a], [b]) => a.localeCompare(b)), limits]);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // keep recently used entries last
    cache.set(key, hit);
    return hit;
  }
  const prepared = prepareUncached(validated, declared, values, limits);
  cache.set(key, prepared);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return prepared;
}

function prepareUncached(validated: string, declared: ParameterSpec[], values: Record<string, unknown>, limits: PoliceLimits): PreparedQuery {
  const { text, unused } = activateParameters(validated, declared, values);
  const ast = police(text, limits);
  if (ast.type !== 'query') throw new Error('unreachable: police() admits queries only');
  return {
    text,
    engineText: compatibleText(ast, { original: text }),
    queryType: ast.queryType,
    vars: ast.queryType === 'SELECT' ? projectedVariables(ast, []) : [],
    unusedParameters: unused,
  };
}

/** Example values from a query's commented BINDs (what `profiles check` uses by default). */
export function exampleValue(expression: string): string | number | undefined {
  let m: RegExpExecArray | null;
  if (/^-?\d+$/.test(expression)) return Number(expression);
  if ((m = /^"(\d{4}-\d{2}-\d{2})"\^\^xsd:date$/.exec(expression)) || (m = /^xsd:date\("(\d{4}-\d{2}-\d{2})"\)$/.exec(expression))) return m[1];
  if ((m = /^"([^"]*)"$/.exec(expression)) || (m = /^'([^']*)'$/.exec(expression))) return m[1];
  if (/^[a-z-]+:[A-Za-z0-9_]+$/.test(expression)) return expression;
  if ((m = /^<(.+)>$/.exec(expression))) return m[1];
  return undefined;
}
