// Defect 5 for variables: Oxigraph stores numeric literals in canonical form, so STR(?maand) of
// `VALUES ?maand { 01 02 … }` gives "1", not "01" (VWS JVZ 4.1 builds dates as
// CONCAT(STR(?jaar), '-', STR(?maand), '-01') and loses nine months). compat.ts handles STR of a
// literal; this rewrite handles a VALUES variable used only inside expressions of the same group:
// the VALUES gets a companion column with each literal's lexical form, and STR(?v) there reads it.
// Exact: the companion is bound exactly where ?v is, to STR of the literal as written.
import { DataFactory } from 'n3';

type Node = Record<string, unknown>;
type Term = { termType?: string; value?: string; datatype?: { value: string } };
const INTEGER = 'http://www.w3.org/2001/XMLSchema#integer';
const COMPANION = (name: string) => `${name}__lexical`;

const nonCanonical = (t: Term | undefined) => t?.termType === 'Literal' && t.datatype?.value === INTEGER && /^[+-]?\d+$/.test(t.value!) && String(BigInt(t.value!)) !== t.value;

/** Variables of a pattern outside expressions (triples, paths, graph names, VALUES keys, sub-selects). */
function mentions(node: unknown, name: string, inExpression = false): boolean {
  if (Array.isArray(node)) return node.some((n) => mentions(n, name, inExpression));
  if (node === null || typeof node !== 'object') return false;
  const n = node as Node & Term;
  if (n.termType === 'Variable') return !inExpression && n.value === name;
  if (n.termType) return false;
  if (n.type === 'bind') return (n.variable as Term).value === name;
  if (n.type === 'filter') return false;
  return Object.entries(n).some(([k, v]) => mentions(v, name, inExpression || k === 'expression'));
}

function replaceStr(node: unknown, name: string): unknown {
  if (Array.isArray(node)) return node.map((n) => replaceStr(n, name));
  if (node === null || typeof node !== 'object' || (node as Term).termType) return node;
  const n = node as Node;
  if (n.type === 'operation' && n.operator === 'str') {
    const [arg] = n.args as Term[];
    if (arg?.termType === 'Variable' && arg.value === name) return DataFactory.variable(COMPANION(name));
  }
  if (n.type === 'operation' && (n.operator === 'exists' || n.operator === 'notexists')) return node; // other scope
  return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, replaceStr(v, name)]));
}

/** One group's patterns: add companions for its VALUES variables that only expressions read. */
function rewriteGroup(patterns: Node[]): void {
  for (const values of patterns.filter((p) => p.type === 'values')) {
    const rows = values.values as Record<string, Term | undefined>[];
    const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    for (const key of keys) {
      const name = key.replace(/^\?/, '');
      if (!rows.some((r) => nonCanonical(r[key]))) continue;
      const others = patterns.filter((p) => p !== values);
      if (others.some((p) => mentions(p, name))) continue; // bound or joined elsewhere: not exact
      values.values = rows.map((r) => ({ ...r, [`?${COMPANION(name)}`]: r[key]?.termType === 'Literal' ? DataFactory.literal(r[key].value!) : undefined }));
      for (const p of others) if (p.type === 'bind' || p.type === 'filter') p.expression = replaceStr(p.expression, name);
    }
  }
}

/** Walk every group of the query; a SELECT * keeps its groups as they are (a companion would be projected). */
export function valuesLexicalForms(node: unknown): void {
  if (Array.isArray(node)) {
    if (node.some((p) => (p as Node | null)?.type === 'values')) rewriteGroup(node as Node[]);
    node.forEach(valuesLexicalForms);
    return;
  }
  if (node === null || typeof node !== 'object' || (node as Term).termType) return;
  const n = node as Node;
  if (n.type === 'query' && Array.isArray(n.variables) && n.variables.some((v) => (v as Term).termType === 'Wildcard')) return;
  for (const [k, v] of Object.entries(n)) if (k !== 'prefixes') valuesLexicalForms(v);
}
