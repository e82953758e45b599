// The organisation's side of signed audit checkpoints (src/audit/checkpoint.ts): signed by the
// Veramo agent holding our did:web key, as a JWT credential of type AuditCheckpoint, and checked
// against our own DID document's keys.
import type { CheckpointClaims, CheckpointKeys, CheckpointSigner } from '../audit/index.js';
import { CHECKPOINT_TYPE } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { loadIdentity, openOwnAgent } from './identity.js';

/** Our public keys, from the DID document kept at init (the one /.well-known/did.json serves). */
export function checkpointKeys(config: Config): CheckpointKeys {
  const identity = loadIdentity(config);
  if (!identity) throw new Error(`no identity in ${config.dataDir}: run "datastation init" first`);
  const methods = (identity.document.verificationMethod ?? []).map((m) => ({ id: m.id, ...(m.publicKeyJwk ? { publicKeyJwk: m.publicKeyJwk } : {}) }));
  return { did: identity.did, methods };
}

/** A signer over the organisation's key; opens the key store once (needs the key secret). */
export async function checkpointSigner(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<CheckpointSigner> {
  const keys = checkpointKeys(config);
  const kid = keys.methods[0]?.id;
  if (!kid) throw new Error('our DID document has no verification method to sign with');
  const agent = await openOwnAgent(config, env);
  return {
    async sign(claims: CheckpointClaims): Promise<string> {
      const credential = await agent.createVerifiableCredential({
        proofFormat: 'jwt',
        credential: {
          issuer: { id: keys.did },
          type: ['VerifiableCredential', CHECKPOINT_TYPE],
          issuanceDate: claims.time,
          credentialSubject: { id: keys.did, ...claims },
        },
        header: { kid },
      });
      return credential.proof.jwt as string;
    },
  };
}
