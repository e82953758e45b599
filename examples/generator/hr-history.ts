// HR rows that are not drawn with the rest: function changes late in the first year and the absence
// history of the year before. Derived or from their own random streams, and listed after the other
// rows, so everything generated before them (and the faults' row numbers) stays as it was.
import { DAY, Random, isoDay, utc } from './random.js';

const nl = (iso: string) => {
  const [y, m, d] = iso.split('-');
  return `${Number(d)}-${Number(m)}-${y}`;
};

/**
 * Two function changes in the last quarter of the first year, as HR books them (the old line ends,
 * a new one starts; the export lists the new lines last): a Helpende Plus in loondienst qualifies
 * as Verzorgende IG from 1 November (level 2 → 3) and a Verpleegkundige becomes Verzorgende IG from
 * 1 December (5 → 3). Zorgkantoren 13.3 and 13.4 compare levels three months apart. Both stay care
 * functions at the same unit and size, so head counts and fte do not move. No randomness is drawn.
 */
export function careerSteps(lines: (string | number)[][], employments: (string | number)[][], year: number): void {
  const loondienst = new Set(['onbepaalde tijd', 'bepaalde tijd', 'oproepcontract', 'BBL']);
  const kind = new Map(employments.slice(1).map((e) => [String(e[0]), String(e[4])]));
  const count = new Map<string, number>();
  for (const l of lines.slice(1)) count.set(String(l[0]), (count.get(String(l[0])) ?? 0) + 1);
  const day = (d: string | number) => (d ? utc(String(d).split('-').reverse().map((x) => x.padStart(2, '0')).join('-')) : Infinity);
  for (const [from, to, month] of [['F120', 'F110', 11], ['F100', 'F110', 12]] as const) {
    const line = lines.slice(1).find((l) => l[4] === from && l[5] && count.get(String(l[0])) === 1 && loondienst.has(kind.get(String(l[0]))!) &&
      day(l[2]!) <= utc(`${year}-06-30`) && day(l[3]!) >= utc(`${year + 1}-03-31`));
    if (!line) continue;
    const end = line[3]!;
    line[3] = nl(isoDay(utc(`${year}-${month}-01`) - DAY));
    lines.push([line[0]!, 2, `1-${month}-${year}`, end, to, line[5]!, line[6]!]);
    count.set(String(line[0]), 2);
  }
}

/**
 * Sick leave of the year before the data (the HR export carries a year of absence history; NZa
 * kostenonderzoek 1.1 reads 2023 only, KNOWN-ISSUES 9): almost half the agreements active that
 * year, once or twice, mostly short, some long with the second half at 50 % presence, a few pregnancy
 * leaves; every period closed within the year, so no answer about a later year moves. Own random
 * stream; the rows go after the others (the export lists history last).
 */
export function absenceHistory(employments: (string | number)[][], year: number, seed: number): (string | number)[][] {
  const r = new Random(seed);
  const day = (d: string | number) => (d ? utc(String(d).split('-').reverse().map((x) => x.padStart(2, '0')).join('-')) : Infinity);
  const rows: (string | number)[][] = [];
  let seq = 0;
  for (const [id, , begin, end, kind] of employments.slice(1)) {
    if (kind === 'vrijwilliger' || kind === 'stagair' || String(id).startsWith('D9')) continue;
    const from = Math.max(day(begin!), utc(`${year}-01-01`)), to = Math.min(day(end!), utc(`${year}-12-31`));
    if (from > to) continue;
    for (let k = r.chance(0.45) ? r.int(1, 2) : 0; k > 0; k--) {
      const pregnancy = r.chance(0.05);
      const s = from + r.int(0, Math.round((to - from) / DAY)) * DAY;
      const e = Math.min(to, s + ((pregnancy ? 112 : r.chance(0.7) ? r.int(1, 20) : r.int(29, 160)) - 1) * DAY);
      const melding = `V${String(year).slice(2)}${String(++seq).padStart(4, '0')}`;
      const soort = pregnancy ? 'Zwangerschapsverlof' : 'Ziekte';
      const [ns, ne] = [nl(isoDay(s)), nl(isoDay(e))];
      if (!pregnancy && e - s > 40 * DAY && r.chance(0.5)) {
        const mid = s + Math.floor((e - s) / DAY / 2) * DAY;
        rows.push([melding, id!, soort, ns, ne, ns, nl(isoDay(mid - DAY)), '0'], [melding, id!, soort, ns, ne, nl(isoDay(mid)), ne, '50']);
      } else rows.push([melding, id!, soort, ns, ne, ns, ne, '0']);
    }
  }
  return rows;
}
