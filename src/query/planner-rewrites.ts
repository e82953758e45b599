// The planner rewrites added for issue 15 ("fast on the embedded engine"): each keeps every answer
// for all data (see its file) and only changes how Oxigraph 0.5 evaluates a shape. One hook for
// compat.ts, after the join-order rewrites of joins.ts. (An OPTIONAL-as-sub-select rewrite for the
// 11.x sick-leave block was exact against Jena but showed no gain at 10k employees: removed, see
// git history.)
import { existsSemiJoins } from './planner-exists.js';

export function plannerRewrites(ast: unknown): void {
  existsSemiJoins(ast);
}
