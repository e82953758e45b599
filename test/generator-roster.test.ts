// The generator's ONS Roosteren roster against the rest of what it writes: the committed example is
// its output, and the plan agrees with HR, the ECD's departments and the realisation.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../examples/generator/generate.js';
import { EXAMPLE_DIR, tempDir } from './helpers.js';

// examples/generator/cli.ts's DE_LINDE (not imported: that module parses the command line).
const DE_LINDE = { employees: 150, clients: 200, years: [2024, 2025] as [number, number], seed: 20261122, messy: true };
const dir = generate(tempDir('ds-gen-'), DE_LINDE).dir;
const rows = (file: string) => readFileSync(join(dir, file), 'latin1').trim().split(/\r?\n/).slice(1).map((l) => l.split(';'));
const files = (root: string): string[] => readdirSync(root, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(root, e.name)) : [relative(EXAMPLE_DIR, join(root, e.name))]));

describe('the generated roster (ONS Roosteren "Diensten")', () => {
  const roster = rows('ons-roosteren/rooster-diensten.csv');
  const faults = roster.slice(-4); // open shift, duplicate, unknown kind, impossible date (quarantined on import)
  const plans = roster.slice(0, -4);
  const day = (stamp: string) => stamp.split(' ')[0]!;

  it('is what examples/de-linde holds, byte for byte (every file)', () => {
    const committed = files(EXAMPLE_DIR).sort();
    expect(committed).toContain('ons-roosteren/rooster-diensten.csv');
    for (const f of committed) expect(readFileSync(join(dir, f)).equals(readFileSync(join(EXAMPLE_DIR, f))), f).toBe(true);
  });

  it('names only agreements HR has and departments the ECD has, with a kind ONS uses', () => {
    const agreements = new Set(rows('afas-hr/dienstverbanden.csv').map((r) => r[0]));
    const units = new Set((JSON.parse(readFileSync(join(dir, 'ons-ecd/locaties.json'), 'utf8')) as { locaties: { code: string }[] }).locaties.map((l) => l.code));
    expect(plans.length).toBeGreaterThan(500);
    expect(plans.filter((p) => !agreements.has(p[1]) || !units.has(p[2]!))).toEqual([]);
    expect(new Set(plans.map((p) => p[3]))).toEqual(new Set(['Dienst', 'Scholing', 'Vervallen', 'Verlof']));
    expect(new Set(plans.map((p) => p[0])).size).toBe(plans.length);
    expect(faults.map((f) => [f[1] === '', plans.some((p) => p.join(';') === f.join(';')), f[3], day(f[4]!)])).toEqual([
      [true, false, 'Dienst', '30-6-2024'], [false, true, 'Dienst', '24-6-2024'], [false, false, 'Ruil', '30-6-2024'], [false, false, 'Dienst', '31-6-2024'],
    ]);
  });

  it('plans as worked exactly the June days the realisation has, and cancels or gives leave only on other days', () => {
    const realised = new Set(rows('ons-roosteren/realisatie-juni-2024.csv').slice(0, -1).map((r) => `${r[1]}|${day(r[3]!)}`).filter((k) => /\|(2[4-9]|30)-6-/.test(k)));
    const june = plans.filter((p) => /^(2[4-9]|30)-6-/.test(p[4]!));
    const worked = new Set(june.filter((p) => p[3] === 'Dienst' || p[3] === 'Scholing').map((p) => `${p[1]}|${day(p[4]!)}`));
    expect(worked).toEqual(realised);
    expect(june.filter((p) => (p[3] === 'Vervallen' || p[3] === 'Verlof') && realised.has(`${p[1]}|${day(p[4]!)}`))).toEqual([]);
  });

  it('plans the first week of July only for agreements with July hours in AFAS, at most a week\u2019s share of them', () => {
    const july = new Map(rows('afas-hr/uren.csv').filter((r) => r[1] === '1-7-2024' && r[3]).map((r) => [r[0]!, Number(r[2]!.replace(',', '.'))]));
    const planned = new Map<string, number>();
    for (const p of plans.filter((q) => /-7-2024 /.test(q[4]!) && q[3] === 'Dienst')) planned.set(p[1]!, (planned.get(p[1]!) ?? 0) + 1);
    expect([...planned.keys()].filter((a) => !july.has(a))).toEqual([]);
    expect([...planned].filter(([a, n]) => n > Math.min(7, Math.round(july.get(a)! / 4.3 / 8)))).toEqual([]);
  });

  it('exports a night with the shift\u2019s own date on its end, planned to 07:15', () => {
    const nights = plans.filter((p) => p[4]!.endsWith(' 23:00'));
    expect(nights.length).toBeGreaterThan(50);
    expect(nights.every((p) => day(p[5]!) === day(p[4]!) && p[5]!.endsWith(' 07:15'))).toBe(true);
  });
});
