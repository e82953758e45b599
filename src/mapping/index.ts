export { loadMappingDir, parseMapping, mappingSchema, MappingSpecError, filePatternMatches } from './spec.js';
export { loadMappings } from './overrides.js';
export type { Mapping } from './spec.js';
export { RowMapper } from './engine.js';
export type { MappingContext, Problem } from './engine.js';
export { mapSystem, assignFiles } from './map-system.js';
export type { RowProblem, SystemResult, EntityStats, MapOptions } from './map-system.js';
export { mapRdf, RDF_SYSTEM } from './map-rdf.js';
