// `datastation profiles add <dir>`: install an uitwisselprofiel from a folder of official .rq files.
// The texts are copied unmodified (CC BY-ND); the manifest is derived from their header comments.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NS } from '../rdf/index.js';
import { exampleValue, findCommentedBinds, police, type ParameterSpec } from '../query/index.js';
import { manifestSchema, type ProfileManifest } from './manifest.js';
import { ProfileError } from './registry.js';

/** Parameter conventions of the KIK-V profiles, by name. */
const KNOWN: Record<string, Omit<ParameterSpec, 'name'>> = {
  jaar: { type: 'integer', min: 2000, max: 2100, description: 'year', example: 2024 },
  kwartaal: { type: 'string', enum: ['Q1', 'Q2', 'Q3', 'Q4'], description: 'quarter', example: 'Q1' },
  peildatum: { type: 'date', description: 'reference date', example: '2024-12-31' },
  startperiode: { type: 'date', description: 'first day of the period', example: '2024-01-01' },
  eindperiode: { type: 'date', description: 'last day of the period', example: '2024-12-31' },
  eind_periode: { type: 'date', description: 'last day of the period', example: '2024-12-31' },
  zorgkantoor: {
    type: 'iri',
    pattern: `^${NS['onz-org'].replace(/[.#/]/g, (c) => (c === '.' ? '\\.' : c))}Zorgkantoor[A-Za-z]+$`,
    description: 'zorgkantoor individual',
    example: `${NS['onz-org']}ZorgkantoorMenzis`,
  },
  vestigingsnummer: { type: 'string', pattern: '^[0-9]{12}$', description: 'KvK vestigingsnummer' },
};

/** A parameter's declaration: by convention, else from the shape of its example BIND. */
export function inferParameter(name: string, example?: string): ParameterSpec {
  const known = KNOWN[name];
  const value = example === undefined ? undefined : exampleValue(example);
  if (known) return { name, ...known, ...(value !== undefined ? { example: value } : {}) };
  if (example && /^-?\d+$/.test(example)) return { name, type: 'integer' };
  if (example && (/\^\^xsd:date$/.test(example) || /^xsd:date\(/.test(example))) return { name, type: 'date' };
  if (example && /^[a-z-]+:[A-Za-z0-9_]+$|^<.*>$/.test(example)) return { name, type: 'iri' };
  return { name, type: 'string' };
}

export interface QueryHeader {
  profileTitle?: string;
  profileVersion?: string;
  indicator?: string;
  /** The profile's short name on the Indicator line ("Zorgkantoren 1.1" → "Zorgkantoren"). */
  indicatorProfile?: string;
  parameters: string[];
  ontologyMin?: string;
}

export function readHeader(text: string): QueryHeader {
  const header: QueryHeader = { parameters: [] };
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) {
      if (line.trim()) break;
      continue;
    }
    const body = line.replace(/^#\s*/, '').trim();
    let m: RegExpExecArray | null;
    if ((m = /^Uitwisselprofiel\s+(.+?)\s+(\d+\.\d+\.\d+)\s*$/i.exec(body))) [header.profileTitle, header.profileVersion] = [m[1], m[2]];
    else if ((m = /\btag\s+(\d+\.\d+\.\d+)\b/i.exec(body))) header.profileVersion ??= m[1];
    else if ((m = /^Indicator:\s*(.+)$/i.exec(body))) {
      const words = m[1]!.trim().split(/\s+/);
      header.indicator = words.at(-1);
      header.indicatorProfile = words.slice(0, -1).join(' ');
    }
    else if ((m = /^SPARQL:\s*(\d+(?:\.\d+)*)\b/i.exec(body))) header.indicator ??= m[1];
    else if ((m = /^Parameters?:\s*(.+)$/i.exec(body))) header.parameters = m[1]!.split(/[,\s]+/).map((p) => p.replace(/^\?/, '')).filter(Boolean);
    else if ((m = /^Ontologie:.*?(\d+\.\d+\.\d+)/i.exec(body))) header.ontologyMin = m[1];
  }
  return header;
}

const slug = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Derive the manifest from the queries' headers, check every query, and install atomically. */
export function installProfile(sourceDir: string, profilesDir: string): ProfileManifest {
  const files = readdirSync(sourceDir).filter((f) => f.endsWith('.rq')).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  if (!files.length) throw new ProfileError('invalid_profile', `no .rq files in ${sourceDir}`);
  const headers = files.map((file) => ({ file, text: readFileSync(join(sourceDir, file), 'utf8') })).map((f) => ({ ...f, h: readHeader(f.text) }));
  // Not every file repeats the full profile line; the ones that do name it for all.
  const named = headers.find((f) => f.h.profileTitle && f.h.profileVersion);
  if (!named) throw new ProfileError('invalid_profile', `no query in ${sourceDir} names its uitwisselprofiel and version`);
  const title = named.h.profileTitle!, version = named.h.profileVersion!;
  let ontologyMin: string | undefined;
  const indicators: ProfileManifest['indicators'] = [];
  for (const { file, text, h } of headers) {
    // Official files are named by indicator (1.1.rq, 15.4.1.rq); headers drift ("18.1.0", "totalen").
    h.indicator = /^(\d+(?:\.\d+)*)\.rq$/.exec(file)?.[1] ?? h.indicator;
    if (!h.indicator) throw new ProfileError('invalid_profile', `${file}: neither its header nor its name names an indicator`);
    if ((h.profileTitle && h.profileTitle !== title) || (h.profileVersion && h.profileVersion !== version)) {
      throw new ProfileError('invalid_profile', `${file}: belongs to ${h.profileTitle ?? h.indicatorProfile} ${h.profileVersion ?? ''}, not ${title} ${version}`);
    }
    if (h.ontologyMin) ontologyMin = ontologyMin && ontologyMin > h.ontologyMin ? ontologyMin : h.ontologyMin;
    try {
      police(text);
    } catch (error) {
      throw new ProfileError('invalid_profile', `${file}: ${(error as Error).message}`);
    }
    const examples = new Map(findCommentedBinds(text).map((b) => [b.name, b.expression] as const).reverse());
    indicators.push({
      id: h.indicator,
      title: `${h.profileTitle} ${h.indicator}`,
      query: file,
      sha256: createHash('sha256').update(text).digest('hex'),
      parameters: h.parameters.map((p) => inferParameter(p, examples.get(p))),
    });
  }
  const manifest = manifestSchema.parse({
    id: slug(title),
    title,
    version,
    requesterRoles: [],
    ontology: { min: ontologyMin ?? '0.0.0' },
    source: sourceDir,
    indicators,
  });
  const target = join(profilesDir, manifest.id, manifest.version);
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  // Written, not copied: a copy keeps the source's mode, past the private umask.
  for (const file of files) writeFileSync(join(tmp, file), readFileSync(join(sourceDir, file)));
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
  return manifest;
}
