// Rolling back (or forward) to another complete generation: the operator points CURRENT at it.
// Same guarantees as an import's switch: under the import lock (never while an import writes),
// only a generation whose files match its manifest, logged before it takes effect (a switch that
// cannot be logged is not made), and one atomic rename of the pointer.
import { join } from 'node:path';
import { recordActivity } from '../audit/index.js';
import { currentGenerationId, GenerationError, listGenerations, verifyGeneration, writeFileDurable, type Manifest } from '../store/index.js';
import { acquireImportLock } from './lock.js';

export class ActivationError extends Error {
  constructor(
    readonly code: 'unknown_generation' | 'reason_required' | 'already_current' | 'corrupt_generation',
    message: string,
  ) {
    super(message);
  }
}

export const MAX_REASON = 1000;

export async function activateGeneration(dataDir: string, id: string, options: { actor: string; reason: string }): Promise<{ manifest: Manifest; previous?: string }> {
  const reason = options.reason.trim();
  if (!reason) throw new ActivationError('reason_required', 'say why this generation is activated (--reason)');
  if (reason.length > MAX_REASON) throw new ActivationError('reason_required', `the reason is at most ${MAX_REASON} characters`);
  if (!listGenerations(dataDir).includes(id)) throw new ActivationError('unknown_generation', 'no such generation on disk');
  const release = acquireImportLock(dataDir);
  try {
    const previous = currentGenerationId(dataDir);
    if (previous === id) throw new ActivationError('already_current', `${id} is already the current generation`);
    let manifest: Manifest;
    try {
      manifest = await verifyGeneration(dataDir, id);
    } catch (error) {
      if (error instanceof GenerationError) throw new ActivationError('corrupt_generation', error.message);
      throw error;
    }
    recordActivity(dataDir, { actor: options.actor, activity: 'generation-activated', generation: id, previous, reason });
    writeFileDurable(join(dataDir, 'CURRENT'), `${id}\n`);
    return { manifest, ...(previous ? { previous } : {}) };
  } finally {
    release();
  }
}
