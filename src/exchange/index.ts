// The exchange: KIK-V messages in and out, release policy and queue, asynchronous delivery.
export { Exchange } from './exchange.js';
export type { ExchangeDeps, Outcome } from './exchange.js';
export { EXCHANGE_ERRORS, ExchangeError, failure } from './errors.js';
export { fromHeaders, errorReport } from './envelope.js';
export { digestForAudit, unauthenticatedForAudit } from './content.js';
export type { MessageForm, RequestMessage } from './envelope.js';
export { DIDCOMM_MEDIA_TYPE, problemReport, looksLikeDidcomm } from './didcomm.js';
export { ReleaseQueue, ReleaseError, cleanReason, releaseRule } from './release.js';
export type { ReleaseItem, ReleaseState, Correction, SmallCellPolicy, AppliedRule } from './release.js';
export { answerTables, bounded, outgoing } from './answer-table.js';
export type { Change, Table, Position } from './answer-table.js';
export { countColumns, smallCellsOf } from './small-cells.js';
export type { SmallCell } from './small-cells.js';
export { Deliverer } from './delivery.js';
