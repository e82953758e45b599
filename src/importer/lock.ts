// One import at a time per data directory. A lock left by a killed process is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class ImportBusyError extends Error {
  readonly code = 'import_busy';
}

/** Whether a process with this id runs (EPERM: it runs, as another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireImportLock(dataDir: string): () => void {
  const path = join(dataDir, 'import.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (holder && alive(holder) && holder !== process.pid) throw new ImportBusyError(`another import (pid ${holder}) is running on ${dataDir}`);
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new ImportBusyError(`cannot take ${path}`);
}
