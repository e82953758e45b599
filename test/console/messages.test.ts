// The console says every refusal of the admin API in Dutch, by its code (console/js/ui.js), and no
// longer appends the API's English sentence: every code the admin routes can answer with has a
// Dutch sentence. The codes are read from the sources, so a code added later without one fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { CONNECTION_STATUS } from '../../src/connections/index.js';

const root = packageRoot();
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** The keys of the MESSAGES table in ui.js (the console is plain browser JS, read as text). */
function dutchCodes(): Set<string> {
  const ui = read('console/js/ui.js');
  const table = /const MESSAGES = \{([\s\S]*?)\n\};/.exec(ui)?.[1] ?? '';
  return new Set([...table.matchAll(/^\s+([a-z0-9_]+):/gm)].map((m) => m[1]!));
}

/** Codes in `readonly code: 'a' | 'b'` unions, `error: 'x'` and `refuse(reply, n, 'x')` answers of the given sources. */
function codesIn(files: string[]): string[] {
  const codes = new Set<string>();
  for (const file of files) {
    const text = read(file);
    for (const m of text.matchAll(/readonly code: ((?:'[a-z_]+'(?:\s*\|\s*)?)+)/g)) for (const c of m[1]!.matchAll(/'([a-z_]+)'/g)) codes.add(c[1]!);
    for (const m of text.matchAll(/\berror: '([a-z_]+)'|refuse\(reply, \d+, '([a-z_]+)'/g)) codes.add((m[1] ?? m[2])!);
  }
  return [...codes];
}

describe('the console\'s refusals', () => {
  it('has a Dutch sentence for every code the admin API answers with', () => {
    const dutch = dutchCodes();
    expect(dutch.size).toBeGreaterThan(20);
    const codes = [
      ...codesIn(['src/exchange/release.ts', 'src/values/store.ts', 'src/api/routes/admin.ts', 'src/api/routes/admin-auth.ts', 'src/api/routes/admin-session.ts', 'src/api/routes/admin-data.ts', 'src/api/routes/admin-audit.ts', 'src/api/routes/admin-release.ts']),
      ...Object.keys(CONNECTION_STATUS),
    ];
    expect(codes).toEqual(expect.arrayContaining(['not_pending', 'small_cells_blocked', 'bad_value', 'csrf', 'sign_in_failed', 'unknown_connection']));
    expect(codes.filter((c) => !dutch.has(c))).toEqual([]);
  });

  it('does not show the API\'s English sentence beside the Dutch one', () => {
    const ui = read('console/js/ui.js');
    const box = /export function ErrorBox[\s\S]*?\n\}/.exec(ui)?.[0] ?? '';
    expect(box).toContain('message(error)');
    expect(box).not.toContain('detail');
  });
});
