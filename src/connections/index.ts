// Connections: named sources whose exports are imported on a schedule or on demand.
export { ConnectionError, CONNECTION_STATUS } from './errors.js';
export type { ConnectionErrorCode } from './errors.js';
export { connectionInput, publicView } from './schema.js';
export type { Connection, ConnectionInput, AuthInput, SourceInput } from './schema.js';
export { addConnection, editConnection, getConnection, listConnections, removeConnection, connectionsDir } from './store.js';
export { runConnection, testConnection, oneSentence } from './run.js';
export type { RunResult, RunOptions, TestResult } from './run.js';
export { listRuns } from './runs.js';
export type { RunRecord } from './runs.js';
export { RunFailure } from './pull.js';
export { ConnectionScheduler, SCHEDULER_ACTOR } from './scheduler.js';
export type { SchedulerOptions } from './scheduler.js';
