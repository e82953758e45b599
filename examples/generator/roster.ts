// ONS Roosteren exports derived from the AFAS hours, so the planning system, the realisation and HR
// agree: the realisation of one month (what was worked) and the roster "Diensten" of the two weeks
// around its last day (what was planned). Neither draws from the organisation's random stream.
import { DAY, Random, isoDay } from './random.js';

type Row = (string | number)[];

const nl = (iso: string) => {
  const [y, m, d] = iso.split('-');
  return `${Number(d)}-${Number(m)}-${y}`;
};
const comma = (n: number) => String(Math.round(n * 100) / 100).replace('.', ',');
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
/** "d-m-yyyy hh:mm" of a day of the month plus minutes (past midnight rolls over to the next day). */
const stamp = (y: number, m: number, day: number, minutes: number) =>
  nl(isoDay(Date.UTC(y, m - 1, day) + Math.floor(minutes / 1440) * DAY)) + ' ' + hhmm(minutes % 1440);
const hoursOf = (worked: string | number | undefined) => Number(String(worked).replace(',', '.'));

const DAY_SHIFT = 7 * 60, EVENING = 15 * 60, NIGHT = 23 * 60;

/**
 * ONS Roosteren realisation for one month: the shifts each agreement worked, derived (no randomness)
 * from that month's AFAS total so that both sources agree on the hours. Shifts of 8 hours, day,
 * evening and night in turn, counting back from the month's last day (so a peildatum at the end of
 * the month has every kind); the remainder as a shorter day shift. Rows without a unit are left out.
 */
export function realisedShifts(hours: Row[], month: string, messy: boolean): Row[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const out: Row[] = [['Dienst-ID', 'Dienstverband', 'Afdeling', 'Begin', 'Eind', 'Uren']];
  let seq = 0;
  hours.forEach(([employment, date, worked, unit], i) => {
    if (date !== `1-${m}-${y}` || !unit) return;
    const total = hoursOf(worked);
    const full = Math.min(Math.floor(total / 8), last - 1);
    const shift = (day: number, start: number, minutes: number) =>
      out.push([`G${String(++seq).padStart(6, '0')}`, employment!, unit, stamp(y, m, day, start), stamp(y, m, day, start + minutes), comma(minutes / 60)]);
    for (let k = 0; k < full; k++) shift(last - k, [DAY_SHIFT, EVENING, NIGHT][(i + k) % 3]!, 480);
    const rest = Math.round((total - full * 8) * 60);
    if (rest > 0) shift(last - full, 8 * 60, rest);
  });
  // A night shift whose end lost its next day: ends before it begins (quarantined).
  if (messy) out.push(['G999999', String(out[1]![1]), String(out[1]![2]), `15-${m}-${y} 23:00`, `15-${m}-${y} 07:00`, '8']);
  return out;
}

interface Planned {
  employment: string;
  unit: string;
  day: number; // UTC ms of the shift's date
  start: number; // minutes after midnight
  minutes: number;
  kind: string;
}

/**
 * ONS Roosteren "Diensten" for the last seven days of `month` and the first seven of the next: the
 * plan. Each day of the realisation in that window was planned as worked (its begin; a night is
 * planned to 07:15 for the handover, a day to its realised end); the next month's first week is
 * planned from that month's AFAS total, a week's share of it in 8-hour shifts spread over the week
 * in the same rotation.
 * From its own random stream: a few shifts are training (Scholing, still worked), and a few planned
 * days were cancelled (Vervallen) or turned into leave (Verlof) — those were not realised. As ONS
 * exports them, a night shift's end carries the shift's own date, rows are ordered by date and the
 * ids were handed out per agreement. `messy` adds an open shift, a duplicated row, an unknown kind
 * and an impossible date, each of which lands in quarantine.
 */
export function plannedRoster(hours: Row[], realised: Row[], month: string, seed: number, messy: boolean): Row[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const from = Date.UTC(y, m - 1, last - 6), to = Date.UTC(y, m, 7);
  const r = new Random(seed);
  const plans: Planned[] = [];
  const parse = (s: string) => {
    const [date, time] = s.split(' ') as [string, string];
    const [d, mo, yy] = date.split('-').map(Number) as [number, number, number];
    const [h, mi] = time.split(':').map(Number) as [number, number];
    return { day: Date.UTC(yy, mo - 1, d), minutes: h * 60 + mi };
  };
  for (const [id, employment, unit, begin, end] of realised.slice(1)) {
    if (id === 'G999999') continue;
    const b = parse(String(begin)), e = parse(String(end));
    if (b.day < from || b.day >= to) continue;
    const minutes = b.minutes === NIGHT ? 495 : (e.day - b.day) / 60_000 + e.minutes - b.minutes;
    plans.push({ employment: String(employment), unit: String(unit), day: b.day, start: b.minutes, minutes, kind: 'Dienst' });
  }
  const [ny, nm] = m === 12 ? [y + 1, 1] : [y, m + 1];
  hours.forEach(([employment, date, worked, unit], i) => {
    if (date !== `1-${nm}-${ny}` || !unit) return;
    const shifts = Math.min(7, Math.round(hoursOf(worked) / 4.3 / 8));
    for (let k = 0; k < shifts; k++) {
      const start = [DAY_SHIFT, EVENING, NIGHT][(i + k) % 3]!;
      plans.push({ employment: String(employment), unit: String(unit), day: Date.UTC(ny, nm - 1, 1 + Math.floor((k * 7) / shifts)), start, minutes: start === NIGHT ? 495 : 480, kind: 'Dienst' });
    }
  });
  // Training replaces a worked shift; a cancelled shift or leave is a planned day that was not worked,
  // so it goes on a day of the window that agreement has no shift on.
  const busy = new Set(plans.map((p) => `${p.employment}|${p.day}`));
  const extra: Planned[] = [];
  for (const p of plans) {
    if (r.chance(0.02)) p.kind = 'Scholing';
    if (r.chance(0.08)) {
      const day = from + r.int(0, 13) * DAY;
      if (busy.has(`${p.employment}|${day}`)) continue;
      busy.add(`${p.employment}|${day}`);
      extra.push({ ...p, day, kind: r.chance(0.5) ? 'Vervallen' : 'Verlof', minutes: p.start === NIGHT ? 495 : 480 });
    }
  }
  const all = [...plans, ...extra];
  // Ids per agreement in the order HR lists them, then the export's order: by date, then agreement.
  const byAgreement = new Map<string, Planned[]>();
  for (const p of all) byAgreement.set(p.employment, [...(byAgreement.get(p.employment) ?? []), p]);
  const ids = new Map<Planned, string>();
  const id = (n: number) => `R${String(y).slice(2)}${String(n).padStart(4, '0')}`;
  for (const e of [...byAgreement.keys()].sort()) for (const p of byAgreement.get(e)!.sort((a, b) => a.day - b.day || a.start - b.start)) ids.set(p, id(ids.size + 1));
  const at = (day: number, minutes: number) => nl(isoDay(day)) + ' ' + hhmm(minutes % 1440);
  const rows: Row[] = [['Dienst-ID', 'Dienstverband', 'Afdeling', 'Soort', 'Begin', 'Eind']];
  for (const p of all.sort((a, b) => a.day - b.day || (a.employment < b.employment ? -1 : 1))) {
    rows.push([ids.get(p)!, p.employment, p.unit, p.kind, at(p.day, p.start), at(p.day, p.start + p.minutes)]);
  }
  if (messy) {
    const lastDay = `${last}-${m}-${y}`;
    const n = ids.size;
    rows.push([id(n + 1), '', String(rows[1]![2]), 'Dienst', `${lastDay} 15:00`, `${lastDay} 23:00`]); // open shift: nobody yet
    rows.push(rows[6]!); // the same row exported twice
    rows.push([id(n + 2), String(rows[2]![1]), String(rows[2]![2]), 'Ruil', `${lastDay} 07:00`, `${lastDay} 15:00`]); // a swap: no kind we know
    rows.push([id(n + 3), String(rows[3]![1]), String(rows[3]![2]), 'Dienst', `${last + 1}-${m}-${y} 07:00`, `${last + 1}-${m}-${y} 15:00`]); // a day the month does not have
  }
  return rows;
}
