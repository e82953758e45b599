// `datastation nuts register | status`: our message endpoint at the organisation's Nuts node
// (v5: a compound service with the oauth entry and our endpoint; v6: activation on the Discovery
// Service with the endpoint as registration parameter), and what the node knows about us.
// Refusals (no nuts section, node unreachable) exit 2 with a reason.
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { NutsNode, TrustError } from '../trust/index.js';
import { printableLine } from './sanitize.js';

function nutsOf(config: Config) {
  const nuts = config.trust.nuts;
  if (config.trust.mode !== 'nuts' || !nuts) throw new TrustError('trust_unavailable', 'trust.mode is not nuts: configure trust.mode: nuts and a trust.nuts section');
  return nuts;
}

const messageEndpoint = (config: Config) => `${config.server.publicUrl}/api/verifiedsparql`;

/** Idempotent: registering the same endpoint twice changes nothing at the node. */
export async function nutsRegister(config: Config): Promise<string[]> {
  const nuts = nutsOf(config);
  const node = new NutsNode(nuts);
  if (nuts.version === 'v5') {
    if (!nuts.oauthEndpoint) throw new TrustError('trust_unavailable', 'v5 registration needs trust.nuts.oauthEndpoint (our node\'s /n2n/auth/v1/accesstoken)');
    const service = await node.registerCompoundService(nuts.did, nuts.service, { [nuts.oauthEndpointKey]: nuts.oauthEndpoint, [nuts.messageEndpointKey]: messageEndpoint(config) });
    return [`registered compound service ${service.type} on ${nuts.did}: ${Object.entries(service.serviceEndpoint).map(([k, v]) => `${k} → ${v}`).join(', ')}`];
  }
  if (!nuts.subjectId) throw new TrustError('trust_unavailable', 'v6 registration needs trust.nuts.subjectId');
  await node.activate(nuts.discoveryService, nuts.subjectId, { [nuts.messageEndpointParameter]: messageEndpoint(config) });
  return [`activated subject ${nuts.subjectId} on Discovery Service ${nuts.discoveryService} with ${nuts.messageEndpointParameter} → ${messageEndpoint(config)}`];
}

export async function nutsStatus(config: Config): Promise<string[]> {
  const nuts = nutsOf(config);
  const node = new NutsNode(nuts);
  const lines = [`node ${nuts.internalUrl} (${nuts.version}), our DID ${nuts.did}`, `ValidatedQueryCredential issuers we accept: ${nuts.beheerDids.join(', ')}`];
  if (nuts.version === 'v5') {
    const services = await node.compoundServices(nuts.did);
    if (!services.length) lines.push('no compound services registered: run `datastation nuts register`');
    for (const s of services) lines.push(`compound service ${s.type}${[nuts.service, ...nuts.acceptServices].includes(s.type) ? ' (ours)' : ''}: ${Object.entries(s.serviceEndpoint).map(([k, v]) => `${k} → ${v}`).join(', ')}`);
    return lines;
  }
  const found = (await node.search(nuts.discoveryService, {})).filter((r) => r.credential_subject_id === nuts.did || r.credential_subject_id === nuts.subjectId);
  if (!found.length) lines.push(`not found on Discovery Service ${nuts.discoveryService}: run \`datastation nuts register\``);
  for (const r of found) {
    const endpoint = r.registrationParameters[nuts.messageEndpointParameter];
    lines.push(`Discovery ${nuts.discoveryService}: ${r.credential_subject_id}, ${nuts.messageEndpointParameter} → ${typeof endpoint === 'string' ? endpoint : '(none)'}`);
  }
  return lines;
}

export function registerNutsCommands(program: Command, config: () => Config): void {
  const nuts = program.command('nuts').description("the organisation's Nuts node: register our message endpoint, show what the node knows");
  nuts
    .command('register')
    .description('register our message endpoint at the node (v5 compound service, v6 Discovery); idempotent')
    .action(async () => {
      for (const line of await nutsRegister(config())) console.log(printableLine(line, 4000));
    });
  nuts
    .command('status')
    .description('what the node knows about us: DID, endpoints, the issuers we accept')
    .action(async () => {
      for (const line of await nutsStatus(config())) console.log(printableLine(line, 4000));
    });
}
