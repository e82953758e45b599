export { ProfileRegistry, ProfileError, normaliseQueryText } from './registry.js';
export type { Indicator } from './registry.js';
export { installProfile, inferParameter, placeholderNames, readHeader } from './install.js';
export type { InstallOptions } from './install.js';
export { readShapes } from './shapes.js';
export { readReadme } from './source.js';
export { manifestSchema } from './manifest.js';
export type { ProfileManifest, IndicatorManifest } from './manifest.js';
