export type { DatasetStore, QueryResult } from './store.js';
export { EmbeddedStore } from './embedded.js';
export type { LoadOptions, LoadReport } from './embedded.js';
export { IMAGE_FILE } from './image.js';
export {
  GenerationWriter,
  GenerationError,
  currentGenerationId,
  latestGoodGeneration,
  listGenerations,
  pruneGenerations,
  readManifest,
  verifyGeneration,
  generationsDir,
} from './generations.js';
export type { Manifest, FileEntry, SourceEntry } from './generations.js';
export { loadTbox, loadReference, calendarQuads, superclassIndex, withSuperclassTypes, yearSpan, ontologyVersions, ledgerCodeQuads, ledgerParent } from './base.js';
export { writeFileDurable } from './files.js';
export { readJsonFile } from './json-file.js';
export type { JsonFile, JsonFileProblem } from './json-file.js';
export { RemoteStore, RemoteStoreError, ENGINES, ENGINE_PROFILES, PLACES_DEFAULTS, remoteStoreConfig, generationGraph } from './remote/index.js';
export type { Engine, EngineProfile, RemoteStoreConfig, RemoteErrorCode, ManagedServer, RemoteStoreStatus } from './remote/index.js';
