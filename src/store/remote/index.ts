export { RemoteStore, RemoteStoreError, generationGraph } from './remote.js';
export type { ManagedServer, RemoteErrorCode, RemoteQueryOptions, RemoteStoreStatus } from './remote.js';
export { ENGINES, ENGINE_PROFILES, PLACES_DEFAULTS, remoteStoreConfig } from './engines.js';
export type { Engine, EngineProfile, RemoteStoreConfig } from './engines.js';
