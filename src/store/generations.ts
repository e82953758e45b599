// Generations of the dataset on disk. Each import writes a complete new generation in a temporary
// folder, fsyncs it, renames it into place and only then points CURRENT at it. A crash at any moment
// leaves CURRENT on the previous complete generation.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, linkSync, copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fsyncDir, writeFileDurable, writeNTriples, type WrittenFile } from './files.js';
import type { Quad } from '@rdfjs/types';

export const fileEntry = z.object({
  name: z.string(),
  kind: z.enum(['tbox', 'reference', 'calendar', 'organisation', 'source']),
  system: z.string().optional(),
  bytes: z.number(),
  sha256: z.string(),
  triples: z.number(),
});

export const sourceEntry = z.object({
  system: z.string(),
  importedAt: z.string(),
  /** The generation whose import produced this source's file (older when carried forward). */
  importedIn: z.string(),
  files: z.array(z.string()),
  rowsRead: z.number(),
  rowsMapped: z.number(),
  rowsQuarantined: z.number(),
  years: z.tuple([z.number(), z.number()]).optional(),
  /** Rows per entity, so the next import can tell a missing or shrunk export (absent in older manifests). */
  entities: z.array(z.object({ entity: z.string(), files: z.array(z.string()), rowsRead: z.number(), rowsMapped: z.number() })).optional(),
});

export const manifestSchema = z.object({
  format: z.literal(1),
  id: z.string(),
  createdAt: z.string(),
  ontology: z.record(z.string(), z.string()),
  years: z.tuple([z.number(), z.number()]).optional(),
  files: z.array(fileEntry),
  sources: z.array(sourceEntry),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type FileEntry = z.infer<typeof fileEntry>;
export type SourceEntry = z.infer<typeof sourceEntry>;

export class GenerationError extends Error {
  constructor(readonly code: 'no_generation' | 'corrupt_generation', message: string) {
    super(message);
  }
}

export function generationsDir(dataDir: string): string {
  return join(dataDir, 'generations');
}

/** Generation ids sort by time: g<sequence>-<UTC timestamp>. */
export function listGenerations(dataDir: string): string[] {
  const dir = generationsDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((d) => /^g\d{6}-/.test(d)).sort();
}

export function currentGenerationId(dataDir: string): string | undefined {
  const pointer = join(dataDir, 'CURRENT');
  if (!existsSync(pointer)) return undefined;
  return readFileSync(pointer, 'utf8').trim() || undefined;
}

export function readManifest(dataDir: string, id: string): Manifest {
  const path = join(generationsDir(dataDir), id, 'manifest.json');
  try {
    return manifestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new GenerationError('corrupt_generation', `generation ${id}: unreadable manifest (${(error as Error).message})`);
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every file present with the size and hash its manifest records. */
export async function verifyGeneration(dataDir: string, id: string): Promise<Manifest> {
  const manifest = readManifest(dataDir, id);
  for (const f of manifest.files) {
    const path = join(generationsDir(dataDir), id, f.name);
    if (!existsSync(path) || (await sha256File(path)) !== f.sha256) {
      throw new GenerationError('corrupt_generation', `generation ${id}: ${f.name} is missing or does not match its manifest`);
    }
  }
  return manifest;
}

/**
 * The generation to serve: CURRENT when it verifies, else the newest older one that does
 * (reported through onFallback so the operator sees it).
 */
export async function latestGoodGeneration(dataDir: string, onFallback?: (id: string, error: Error) => void): Promise<Manifest> {
  const current = currentGenerationId(dataDir);
  const candidates = listGenerations(dataDir).reverse();
  const order = current ? [current, ...candidates.filter((g) => g < current)] : candidates;
  for (const id of order) {
    try {
      return await verifyGeneration(dataDir, id);
    } catch (error) {
      onFallback?.(id, error as Error);
    }
  }
  throw new GenerationError('no_generation', `no complete generation in ${generationsDir(dataDir)}; run "datastation import" first`);
}

/** Builds one generation in a temporary folder; nothing is visible until commit(). */
export class GenerationWriter {
  readonly id: string;
  private readonly tmpDir: string;
  private readonly files: FileEntry[] = [];

  constructor(private readonly dataDir: string) {
    const existing = listGenerations(dataDir);
    const last = existing.at(-1);
    const seq = last ? Number(last.slice(1, 7)) + 1 : 1;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    this.id = `g${String(seq).padStart(6, '0')}-${stamp}`;
    mkdirSync(generationsDir(dataDir), { recursive: true });
    this.tmpDir = join(generationsDir(dataDir), `.tmp-${this.id}`);
    mkdirSync(this.tmpDir);
  }

  write(name: string, kind: FileEntry['kind'], quads: Iterable<Quad>, system?: string): WrittenFile {
    const written = writeNTriples(join(this.tmpDir, name), quads);
    this.files.push({ name, kind, ...(system ? { system } : {}), ...written });
    return written;
  }

  /** Carry a file of an earlier generation forward unchanged (hard link; copy across devices). */
  carry(from: string, entry: FileEntry): void {
    const src = join(generationsDir(this.dataDir), from, entry.name);
    const dst = join(this.tmpDir, entry.name);
    try {
      linkSync(src, dst);
    } catch {
      copyFileSync(src, dst);
    }
    this.files.push(entry);
  }

  commit(meta: Omit<Manifest, 'format' | 'id' | 'files'>): Manifest {
    const manifest: Manifest = { format: 1, id: this.id, ...meta, files: this.files };
    writeFileDurable(join(this.tmpDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    fsyncDir(this.tmpDir);
    const finalDir = join(generationsDir(this.dataDir), this.id);
    renameSync(this.tmpDir, finalDir);
    fsyncDir(generationsDir(this.dataDir));
    // The switch: one atomic rename of the pointer.
    writeFileDurable(join(this.dataDir, 'CURRENT'), this.id + '\n');
    return manifest;
  }

  abort(): void {
    rmSync(this.tmpDir, { recursive: true, force: true });
  }
}

/** Remove unfinished temp folders and all but the newest `keep` generations (never CURRENT). */
export function pruneGenerations(dataDir: string, keep: number): string[] {
  const dir = generationsDir(dataDir);
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const d of readdirSync(dir).filter((d) => d.startsWith('.tmp-'))) {
    rmSync(join(dir, d), { recursive: true, force: true });
    removed.push(d);
  }
  const current = currentGenerationId(dataDir);
  const all = listGenerations(dataDir);
  for (const id of all.slice(0, Math.max(0, all.length - keep))) {
    if (id === current) continue;
    rmSync(join(dir, id), { recursive: true, force: true });
    removed.push(id);
  }
  return removed;
}
