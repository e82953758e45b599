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
    const served = registry.profile(credential.profile.id, credential.profile.version);
    if (!served) throw new ExchangeError('profile_not_served', `${credential.profile.id}${credential.profile.version ? ` ${credential.profile.version}` : ''}`);
    throw new ExchangeError('query_mismatch', `the credential's query is not one of ${served.id} ${served.version}`);
  }
  const profile = indicator.profile;
  if (credential.profile.id !== profile.id || (credential.profile.version && credential.profile.version !== profile.version)) {
    throw new ExchangeError('profile_not_served', `the query belongs to ${profile.id} ${profile.version}, the credential names ${credential.profile.id} ${credential.profile.version ?? ''}`.trim());
  }
  if (credential.ontology.version && !ProfileRegistry.servesOntology(profile, credential.ontology.version)) {
    throw new ExchangeError('ontology_not_served', `${credential.ontology.version} for ${profile.id} ${profile.version}`);
  }
  // Parameters are sent once per message; each indicator takes the ones it declares.
  const declared = new Set(indicator.parameters.map((p) => p.name));
  const own = Object.fromEntries(Object.entries(parameters).filter(([k]) => declared.has(k)));
  const prepared = prepareQuery(indicator.text, indicator.parameters, own, { maxQueryBytes: limits.maxQueryBytes, maxDepth: limits.maxDepth });
  return { id: indicator.id, profile: profile.id, version: profile.version, indicator, parameters: own, prepared };
}

/** Parameters that no question of the message declares are an error (rule 18), not ignored. */
export function undeclaredParameters(questions: Question[], parameters: Record<string, unknown>): string[] {
  const declared = new Set(questions.flatMap((q) => q.indicator.parameters.map((p) => p.name)));
  return Object.keys(parameters).filter((k) => !declared.has(k));
}
