// Manual values: figures no source system holds, entered by hand with period, unit, who and why,
// imported as RDF into a new generation like any source.
export { VALUE_KINDS, valueKind } from './kinds.js';
export type { ValueKind } from './kinds.js';
export { ValueError, listValues, listValuesLogged, removeValue, setValue, valueInput, MANUAL_SYSTEM } from './store.js';
export type { ManualValue, ValueChange, ValueInput } from './store.js';
export { valueQuads } from './rdf.js';
