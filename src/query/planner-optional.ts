// Planner trap: an OPTIONAL whose body is more than a BGP (VALUES, sub-selects, BINDs, nested
// OPTIONALs). Oxigraph 0.5 may evaluate such a left join as a loop: the body once per outer row,
// in a join order fixed before the row is known: the sick-leave OPTIONAL of NZa 1.1, ZK 11.x and
// VWS 4.2 (VALUES, a BGP, calendar lookups, nested OPTIONALs) runs once per agreement, every sick
// period each time. Measured at 1k employees (bench/planner.ts, loaded machine): NZa 1.1 > 20 s →
// 4.7 s, ZK 11.1 16.1 → 3.5 s, 11.2 19.0 → 4.6 s, 11.3 4.2 → 1.4 s, 11.4 3.2 → 1.5 s; at 10k ZK
// 11.1 and VWS 4.2 stay over their deadlines (other costs remain). joins.ts rewrite 3 handles a BGP-only body; this one any body without zero-length paths:
//   OPTIONAL { P… FILTER(f)… }  →  OPTIONAL { { SELECT * WHERE { P… } } FILTER(f)… }
// Exact for all data: a group is evaluated bottom-up (its patterns never see the outer row), and
// `SELECT *` projects every variable in scope of P, so the sub-select has exactly the solutions
// of P, with their multiplicities; the FILTERs stay the left join's condition, reading both sides
// as before. The sub-select is then evaluated once and hash-joined. Applied only when P holds an
// OPTIONAL, VALUES or a sub-select of its own. Not applied when P holds a
// `*` or `?` path (evaluated without bindings it would enumerate every node of the graph), when P
// is a single triple pattern or BGP (joins.ts), or when P is already a single sub-select.
import { subSelect, walkPatternLists, type Node } from './ast.js';


/** Whether a node holds a path that matches zero-length (`p*`, `p?`). */
function hasZeroLengthPath(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasZeroLengthPath);
  if (node === null || typeof node !== 'object' || 'termType' in node) return false;
  const n = node as Node & { pathType?: string };
  if (n.type === 'path' && (n.pathType === '*' || n.pathType === '?')) return true;
  return Object.entries(n).some(([key, value]) => key !== 'prefixes' && hasZeroLengthPath(value));
}

function isSubSelect(p: Node): boolean {
  return p.type === 'query' || (p.type === 'group' && (p.patterns as Node[]).length === 1 && (p.patterns as Node[])[0]!.type === 'query');
}

/** The rewrite on one OPTIONAL's pattern list: the new list, or undefined when it does not apply. */
function optionalAsSubSelect(patterns: Node[]): Node[] | undefined {
  const body = patterns.filter((p) => p.type !== 'filter');
  const filters = patterns.filter((p) => p.type === 'filter');
  if (!body.length || body.every((p) => p.type === 'bgp') || (body.length === 1 && isSubSelect(body[0]!))) return undefined;
  if (hasZeroLengthPath(body)) return undefined;
  // Only the shapes seen to loop: a body with its own OPTIONAL, VALUES or sub-select. A
  // lookup plus a BIND (IGJ 1.1.1) is cheap per row and was measured slower as a hash join.
  if (!body.some((p) => p.type === 'optional' || p.type === 'values' || isSubSelect(p))) return undefined;
  return [subSelect(body), ...filters];
}

/** Walk the AST bottom-up and rewrite every OPTIONAL that qualifies (not inside expressions). */
export function optionalSubSelects(ast: unknown): void {
  walkPatternLists(ast, (patterns, owner) => (owner.type === 'optional' ? optionalAsSubSelect(patterns) : undefined), { intoExpressions: false });
}
