// From a verified question credential to the query that will run: the credential's text must be
// a validated query of a profile served here (same profile and version, ontology in range), and
// only the indicator's declared parameters are filled in (rules 17–19).
import type { Config } from '../config/index.js';
import { ProfileRegistry, type Indicator } from '../profiles/index.js';
import { prepareQuery, type PreparedQuery } from '../query/index.js';
import type { QuestionCredential } from '../trust/index.js';
import { ExchangeError } from './errors.js';

export interface Question {
  /** The indicator id, as the resultset entry's id. */
  id: string;
  profile: string;
  version: string;
  indicator: Indicator;
  parameters: Record<string, unknown>;
  prepared: PreparedQuery;
}

export function resolveQuestion(
  credential: QuestionCredential,
  registry: ProfileRegistry,
  parameters: Record<string, unknown>,
  limits: Config['query'],
): Question {
  const indicator = registry.findByQuery(credential.query);
  if (!indicator) {
    const served = registry.list().find((p) => namesProfile(credential.profile.id, p) && (!credential.profile.version || p.version === credential.profile.version));
    if (!served) throw new ExchangeError('profile_not_served', `${credential.profile.id}${credential.profile.version ? ` ${credential.profile.version}` : ''}`);
    throw new ExchangeError('query_mismatch', `the credential's query is not one of ${served.id} ${served.version}`);
  }
  const profile = indicator.profile;
  if (!namesProfile(credential.profile.id, profile) || (credential.profile.version && credential.profile.version !== profile.version)) {
    throw new ExchangeError('profile_not_served', `the query belongs to ${profile.id} ${profile.version}, the credential names ${credential.profile.id} ${credential.profile.version ?? ''}`.trim());
  }
  const unserved = credential.ontology.find((o) => o.version && !ProfileRegistry.servesOntology(profile, o.version));
  if (unserved) throw new ExchangeError('ontology_not_served', `${unserved.version} for ${profile.id} ${profile.version}`);
  // Parameters are sent once per message; each indicator takes the ones it declares.
  const declared = new Set(indicator.parameters.map((p) => p.name));
  const own = Object.fromEntries(Object.entries(parameters).filter(([k]) => declared.has(k)));
  const prepared = prepareQuery(indicator.text, indicator.parameters, own, { maxQueryBytes: limits.maxQueryBytes, maxDepth: limits.maxDepth });
  return { id: indicator.id, profile: profile.id, version: profile.version, indicator, parameters: own, prepared };
}

/**
 * Whether a credential's profile reference names this profile: its id, or (production) the
 * publication URL of the uitwisselprofiel, whose last path segment is the profile's id or title.
 */
function namesProfile(ref: string, profile: { id: string; title: string }): boolean {
  if (ref === profile.id) return true;
  if (!/^https?:\/\//.test(ref)) return false;
  let last: string;
  try {
    last = decodeURIComponent(new URL(ref).pathname.replace(/\/+$/, '').split('/').at(-1) ?? '');
  } catch {
    return false;
  }
  return last.toLowerCase() === profile.id.toLowerCase() || last.toLowerCase() === profile.title.toLowerCase();
}

/** Parameters that no question of the message declares are an error (rule 18), not ignored. */
export function undeclaredParameters(questions: Question[], parameters: Record<string, unknown>): string[] {
  const declared = new Set(questions.flatMap((q) => q.indicator.parameters.map((p) => p.name)));
  return Object.keys(parameters).filter((k) => !declared.has(k));
}
