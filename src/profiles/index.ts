export { ProfileRegistry, ProfileError, normaliseQueryText } from './registry.js';
export type { Indicator } from './registry.js';
export { installProfile, inferParameter, readHeader } from './install.js';
export { manifestSchema } from './manifest.js';
export type { ProfileManifest, IndicatorManifest } from './manifest.js';
