import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Files named on the command line, folders walked recursively; hidden entries skipped; sorted. */
export function expandInputs(inputs: string[]): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (!entry.startsWith('.')) walk(join(path, entry));
    } else if (stat.isFile()) out.push(resolve(path));
  };
  for (const input of inputs) walk(input);
  return [...new Set(out)].sort();
}
