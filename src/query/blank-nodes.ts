// Blank nodes in the round-trip check of compat.ts. sparqljs names every blank node of a query
// pattern on parsing (`[]` becomes `g_0`, a written `_:x` becomes `e_x`), and the generated text
// spells them as labels, so parsing it back names them again (`_:g_0` becomes `e_g_0`). Compared
// label by label, every query with a blank node failed the check and ran as written, without any
// of the rewrites (IGJ aangekondigd 1.2.3 lost its date + duration rewrite: every sum unbound).
// Renaming blank nodes one-to-one changes no query (a blank node in a pattern is a
// non-distinguished variable, SPARQL 1.1 §4.1.4, its label scoped to one basic graph pattern), so
// the check compares up to such a renaming.

const BLANK = /\["BlankNode","((?:[^"\\]|\\.)*)"/g;

/**
 * A canonical AST (compat.ts `canonical`, as JSON) with its blank-node labels replaced by their
 * order of first appearance. Two texts are equal after this exactly when a one-to-one renaming of
 * blank nodes turns one AST into the other.
 */
export function renumberBlankNodes(json: string): string {
  const order = new Map<string, number>();
  return json.replace(BLANK, (_, label: string) => {
    if (!order.has(label)) order.set(label, order.size);
    return `["BlankNode","${order.get(label)!}"`;
  });
}
