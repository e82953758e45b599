// The planner rewrites added for issue 15 ("fast on the embedded engine"): each keeps every answer
// for all data (see its file) and only changes how Oxigraph 0.5 evaluates a shape. One hook for
// compat.ts, after the join-order rewrites of joins.ts.
import { existsSemiJoins } from './planner-exists.js';
import { hoistBgpsOverBinds } from './planner-hoist.js';
import { optionalSubSelects } from './planner-optional.js';
import { midGroupBinds } from './planner-bind.js';
import { correlatedGroups } from './planner-correlated.js';
import { unboundJoinKeys } from './planner-keys.js';
import { optionalsIntoUnions } from './planner-union.js';
import { sinkDisconnectedParts } from './planner-sink.js';
import { filtersWithFirstBgp } from './planner-filter.js';

export function plannerRewrites(ast: unknown): void {
  hoistBgpsOverBinds(ast);
  existsSemiJoins(ast);
  optionalSubSelects(ast);
  // last: their blocks are sub-selects, which planner-optional would wrap again
  midGroupBinds(ast);
  correlatedGroups(ast);
  optionalsIntoUnions(ast);
  sinkDisconnectedParts(ast);
  // after the others: it adds a key to the groups they leave in place
  unboundJoinKeys(ast);
  // last: it wraps a group's start in a sub-select, which would hide that start from the others
  filtersWithFirstBgp(ast);
}
