// `datastation profiles add <dir>`: install an uitwisselprofiel from a folder of official .rq files,
// bare or in the published layout (queries/, shapes/, README.md, index.tsv). The texts are copied
// unmodified (CC BY-ND); the manifest is derived from their headers, the README and the shapes.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NS } from '../rdf/index.js';
import { exampleValue, findCommentedBinds, parseSparql, police, PLACEHOLDER, renderValue, type ParameterSpec } from '../query/index.js';
import { manifestSchema, type ProfileManifest } from './manifest.js';
import { ProfileError } from './registry.js';
import type { ShapeParameter } from './shapes.js';
import { readSource } from './source.js';

/** Parameter conventions of the KIK-V profiles, by name. */
const KNOWN: Record<string, Omit<ParameterSpec, 'name'>> = {
  jaar: { type: 'integer', min: 2000, max: 2100, description: 'year', example: 2024 },
  kwartaal: { type: 'string', enum: ['Q1', 'Q2', 'Q3', 'Q4'], description: 'quarter', example: 'Q1' },
  peildatum: { type: 'date', description: 'reference date', example: '2024-12-31' },
  startperiode: { type: 'date', description: 'first day of the period', example: '2024-01-01' },
  eindperiode: { type: 'date', description: 'last day of the period', example: '2024-12-31' },
  start_periode: { type: 'date', description: 'first day of the period', example: '2024-01-01' },
  eind_periode: { type: 'date', description: 'last day of the period', example: '2024-12-31' },
  start_periode_datum: { type: 'date', description: 'first day of the period', example: '2024-01-01' },
  eind_periode_datum: { type: 'date', description: 'last day of the period', example: '2024-12-31' },
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
    else if ((m = /^Parameters?:\s*(.+)$/i.exec(body))) {
      // `?jaar, ?zorgkantoor`, `$(start_periode), $(eind_periode)` or `-` (none).
      header.parameters = m[1]!.split(/[,\s]+/).map((p) => p.replace(/^\?/, '').replace(/^\$\((.*)\)$/, '$1')).filter((p) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p));
    }
    else if ((m = /^Ontologie:.*?(\d+\.\d+)(\.\d+)?/i.exec(body))) header.ontologyMin = `${m[1]}${m[2] ?? '.0'}`;
  }
  return header;
}

const slug = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Names of the textual placeholders `$(name)` outside comment lines. */
export function placeholderNames(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split('\n')) if (!/^\s*#/.test(line)) for (const m of line.matchAll(PLACEHOLDER)) names.add(m[1]!);
  return [...names];
}

/**
 * A text with placeholders is not SPARQL until they are filled in. Check it with each placeholder
 * as a fresh variable: it must parse and every one must land where a term goes (not inside a
 * string literal or an IRI, where a value could change the query's structure).
 */
function policeWithPlaceholders(text: string): void {
  let n = 0;
  const lines = text.split('\n').map((line) => (/^\s*#/.test(line) ? line : line.replace(PLACEHOLDER, () => `?__placeholder_${n++}`)));
  const filled = lines.join('\n');
  police(filled);
  if (!n) return;
  const json = JSON.stringify(parseSparql(filled));
  for (let i = 0; i < n; i++) {
    if (!json.includes(`"termType":"Variable","value":"__placeholder_${i}"`)) throw new Error('a $(…) placeholder stands where no value may go (inside a literal or IRI)');
  }
}

/** The declaration of one parameter: convention and example, narrowed by the published shape. */
function declare(name: string, example: string | undefined, shape: ShapeParameter | undefined): ParameterSpec {
  const spec: ParameterSpec = { ...inferParameter(name, example), ...shape };
  // An example that its own declaration refuses (IGJ's "000001254" against ^[0-9]{12}$) is no example.
  try {
    if (spec.example !== undefined) renderValue(spec, spec.example);
  } catch {
    delete spec.example;
  }
  return spec;
}

export interface InstallOptions {
  /** Title and version for a profile whose files and README do not name them. */
  title?: string;
  version?: string;
}

/** Derive the manifest from the queries' headers, check every query, and install atomically. */
export function installProfile(sourceDir: string, profilesDir: string, options: InstallOptions = {}): ProfileManifest {
  const source = readSource(sourceDir);
  const { files, queryDir } = source;
  const headers = files.map((file) => ({ file, text: readFileSync(join(queryDir, file), 'utf8') })).map((f) => ({ ...f, h: readHeader(f.text) }));
  // Not every file repeats the full profile line; the ones that do name it for all. Without one,
  // the README or the operator's flags name it.
  const named = headers.find((f) => f.h.profileTitle && f.h.profileVersion);
  const title = options.title ?? named?.h.profileTitle ?? source.title;
  const version = options.version ?? named?.h.profileVersion ?? source.version;
  if (!title || !version) throw new ProfileError('invalid_profile', `neither the queries nor a README in ${sourceDir} name the uitwisselprofiel and version: give --title and --version`);
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new ProfileError('invalid_profile', `version ${version} is not of the form x.y.z`);
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
      policeWithPlaceholders(text);
    } catch (error) {
      throw new ProfileError('invalid_profile', `${file}: ${(error as Error).message}`);
    }
    const examples = new Map(findCommentedBinds(text).map((b) => [b.name, b.expression] as const).reverse());
    // A published shape is the parameter declaration (headers drift: IGJ 1.4.2 names ?vestiging,
    // its shape and BIND ?vestigingsnummer); placeholders in the text are parameters too.
    // Without its own shape, a parameter takes its constraints from another shape of the profile
    // (IGJ: "Alle parameters zijn opgenomen in dit bestand").
    const shape = source.shapes.get(h.indicator);
    const names = [...new Set([...(shape ? shape.keys() : h.parameters), ...placeholderNames(text)])];
    const constraint = (p: string) => shape?.get(p) ?? [...source.shapes.values()].find((s) => s.has(p))?.get(p);
    indicators.push({
      id: h.indicator,
      title: source.titles.get(h.indicator) ?? `${title} ${h.indicator}`,
      query: file,
      sha256: createHash('sha256').update(text).digest('hex'),
      parameters: names.map((p) => declare(p, examples.get(p), constraint(p))),
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
  const copy = (from: string, to: string) => writeFileSync(to, readFileSync(from));
  for (const file of files) copy(join(queryDir, file), join(tmp, file));
  for (const file of source.extras) copy(join(sourceDir, file), join(tmp, file));
  if (source.shapeFiles.length) {
    mkdirSync(join(tmp, 'shapes'));
    for (const file of source.shapeFiles) copy(join(sourceDir, 'shapes', file), join(tmp, 'shapes', file));
  }
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
  return manifest;
}
