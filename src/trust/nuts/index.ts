// The Nuts mode of trust: the organisation's node introspects tokens and verifies presentations;
// checkBeyondNode does what the node does not.
export { NutsNode } from './client.js';
export type { NutsConfig } from './client.js';
export { checkBeyondNode } from './checks.js';
export type { BeyondNodeInput } from './checks.js';
export type { Introspection, VPVerificationResult, SearchResult, AccessTokenResponse } from './schemas.js';
