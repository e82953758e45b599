// The uitwisselprofielen this datastation serves: the shipped ones (profiles/) and the ones an
// operator installed into the data directory (official texts, which we may not ship).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { manifestSchema, type IndicatorManifest, type ProfileManifest } from './manifest.js';

export interface Indicator extends IndicatorManifest {
  profile: ProfileManifest;
  /** The validated query text, exactly as published. */
  text: string;
}

export class ProfileError extends Error {
  constructor(readonly code: 'invalid_profile' | 'unknown_indicator' | 'altered_query', message: string) {
    super(message);
  }
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number), pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

/** Line endings and surrounding whitespace do not change a query; anything else does. */
export function normaliseQueryText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

export class ProfileRegistry {
  private readonly profiles: ProfileManifest[] = [];
  private readonly indicators = new Map<string, Indicator>();
  private readonly byText = new Map<string, Indicator>();

  /** Load every `<root>/<id>/<version>/manifest.json` of the given roots (later roots win). */
  static load(roots: string[]): ProfileRegistry {
    const registry = new ProfileRegistry();
    for (const root of roots) {
      if (!existsSync(root)) continue;
      for (const id of readdirSync(root).sort()) {
        const idDir = join(root, id);
        if (!statSync(idDir).isDirectory()) continue;
        for (const version of readdirSync(idDir).sort()) {
          const dir = join(idDir, version);
          if (existsSync(join(dir, 'manifest.json'))) registry.add(dir);
        }
      }
    }
    return registry;
  }

  add(dir: string): ProfileManifest {
    let manifest: ProfileManifest;
    try {
      manifest = manifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
    } catch (error) {
      throw new ProfileError('invalid_profile', `${dir}/manifest.json: ${(error as Error).message}`);
    }
    for (const ind of manifest.indicators) {
      const text = readFileSync(join(dir, ind.query), 'utf8');
      if (ind.sha256 && createHash('sha256').update(text).digest('hex') !== ind.sha256) {
        throw new ProfileError('altered_query', `${dir}/${ind.query} differs from the text that was installed`);
      }
      const indicator: Indicator = { ...ind, profile: manifest, text };
      this.indicators.set(key(manifest.id, manifest.version, ind.id), indicator);
      this.byText.set(normaliseQueryText(text), indicator);
    }
    const existing = this.profiles.findIndex((p) => p.id === manifest.id && p.version === manifest.version);
    if (existing >= 0) this.profiles.splice(existing, 1);
    this.profiles.push(manifest);
    return manifest;
  }

  list(): ProfileManifest[] {
    return [...this.profiles].sort((a, b) => a.id.localeCompare(b.id) || compareVersions(a.version, b.version));
  }

  /** A profile version; without a version, the newest served. */
  profile(id: string, version?: string): ProfileManifest | undefined {
    const versions = this.profiles.filter((p) => p.id === id && (!version || p.version === version));
    return versions.sort((a, b) => compareVersions(b.version, a.version))[0];
  }

  indicator(profileId: string, indicatorId: string, version?: string): Indicator {
    const profile = this.profile(profileId, version);
    const found = profile && this.indicators.get(key(profile.id, profile.version, indicatorId));
    if (!found) throw new ProfileError('unknown_indicator', `no indicator ${indicatorId} in profile ${profileId}${version ? ` ${version}` : ''}`);
    return found;
  }

  /** The indicator whose validated text this is (the question credential carries the text). */
  findByQuery(text: string): Indicator | undefined {
    return this.byText.get(normaliseQueryText(text));
  }

  /** Whether an ontology version falls in the profile's range (for credential checks and DCAT). */
  static servesOntology(profile: ProfileManifest, version: string): boolean {
    return compareVersions(version, profile.ontology.min) >= 0 && (!profile.ontology.max || compareVersions(version, profile.ontology.max) <= 0);
  }
}

function key(profile: string, version: string, indicator: string): string {
  return `${profile}@${version}#${indicator}`;
}
