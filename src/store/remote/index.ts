export { RemoteStore, RemoteStoreError, generationGraph } from './remote.js';
export type { RemoteErrorCode, RemoteQueryOptions } from './remote.js';
export { ENGINES, ENGINE_PROFILES, remoteStoreConfig } from './engines.js';
export type { Engine, EngineProfile, RemoteStoreConfig } from './engines.js';
