// What a profile folder says about itself, as KIK-V publishes it: either a bare folder of .rq files
// (header comments name the profile) or the published layout `queries/`, `shapes/`, `README.md`,
// `index.tsv`, `SHA256SUMS`. Nothing here changes a file; it only reads.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ProfileError } from './registry.js';
import { readShapes, type ShapeParameter } from './shapes.js';

export interface ProfileSource {
  /** Folder holding the .rq files. */
  queryDir: string;
  /** Query file names, in indicator order. */
  files: string[];
  /** Shapes per indicator id (file stem), when the profile publishes them. */
  shapes: Map<string, Map<string, ShapeParameter>>;
  shapeFiles: string[];
  /** Title and version from README.md, when it says them. */
  title?: string;
  version?: string;
  /** Indicator titles from index.tsv. */
  titles: Map<string, string>;
  /** Files to copy unmodified next to the queries (README.md, index.tsv, SHA256SUMS). */
  extras: string[];
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const byIndicator = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** `# <Title> <x.y.z> — …` on the first line, or `Uitwisselprofiel **Title**, version **x.y.z**`. */
export function readReadme(text: string): { title?: string; version?: string } {
  const bold = /Uitwisselprofiel\s+\*\*(.+?)\*\*,\s*(?:version|versie)\s+\*\*(\d+\.\d+\.\d+)\*\*/i.exec(text);
  if (bold) return { title: bold[1]!.trim(), version: bold[2]! };
  const heading = /^#\s+(.+?)\s+v?(\d+\.\d+\.\d+)\b/m.exec(text);
  if (heading) return { title: heading[1]!.replace(/^Uitwisselprofiel\s+/i, '').trim(), version: heading[2]! };
  return {};
}

export function readSource(dir: string): ProfileSource {
  if (!isDir(dir)) throw new ProfileError('invalid_profile', `${dir} is not a folder`);
  const queryDir = isDir(join(dir, 'queries')) ? join(dir, 'queries') : dir;
  const files = readdirSync(queryDir).filter((f) => f.endsWith('.rq')).sort(byIndicator);
  if (!files.length) throw new ProfileError('invalid_profile', `no .rq files in ${queryDir}`);
  const extras = ['README.md', 'index.tsv', 'SHA256SUMS'].filter((f) => queryDir !== dir && existsSync(join(dir, f)));
  verifyChecksums(dir, extras);
  const shapeDir = join(dir, 'shapes');
  const shapeFiles = isDir(shapeDir) ? readdirSync(shapeDir).filter((f) => f.endsWith('.ttl')).sort(byIndicator) : [];
  const shapes = new Map<string, Map<string, ShapeParameter>>();
  for (const file of shapeFiles) {
    try {
      shapes.set(file.replace(/\.ttl$/, ''), readShapes(readFileSync(join(shapeDir, file), 'utf8'), file));
    } catch (error) {
      throw new ProfileError('invalid_profile', `shapes/${(error as Error).message}`);
    }
  }
  const readme = extras.includes('README.md') ? readReadme(readFileSync(join(dir, 'README.md'), 'utf8')) : {};
  const titles = new Map<string, string>();
  if (extras.includes('index.tsv')) {
    for (const line of readFileSync(join(dir, 'index.tsv'), 'utf8').split(/\r?\n/).slice(1)) {
      const [id, title] = line.split('\t');
      if (id && title && /^\d+(?:\.\d+)*$/.test(id)) titles.set(id, title.trim());
    }
  }
  return { queryDir, files, shapes, shapeFiles, ...readme, titles, extras };
}

/** A published SHA256SUMS must match: an altered "official" text is refused before anything else. */
function verifyChecksums(dir: string, extras: string[]): void {
  if (!extras.includes('SHA256SUMS')) return;
  for (const line of readFileSync(join(dir, 'SHA256SUMS'), 'utf8').split(/\r?\n/)) {
    const m = /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(line.trim());
    if (!m) continue;
    const file = join(dir, m[2]!);
    if (m[2]!.split('/').includes('..') || !existsSync(file)) throw new ProfileError('invalid_profile', `${m[2]} is listed in SHA256SUMS but missing`);
    if (createHash('sha256').update(readFileSync(file)).digest('hex') !== m[1]) throw new ProfileError('altered_query', `${m[2]} differs from its published checksum`);
  }
}
