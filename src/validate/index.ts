export { loadShapes, validateGraph } from './shacl.js';
export type { ShaclFinding } from './shacl.js';
export { writeQuarantineReport, countBy } from './report.js';
export type { QuarantineReport } from './report.js';
export { validateParamsShacl } from './params.js';
export type { ParamsShaclOptions, ParamsShaclResult } from './params.js';
