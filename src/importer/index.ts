export { runImport, ImportRejectedError } from './import.js';
export type { ImportOptions, ImportSummary, SystemSummary } from './import.js';
export { ImportBusyError } from './lock.js';
export { expandInputs } from './files.js';
export { activateGeneration, ActivationError } from './activate.js';
