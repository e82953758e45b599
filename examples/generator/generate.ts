// Deterministic exports of a fictitious nursing home in the formats the source systems produce:
// AFAS Profit HR (CSV ; with decimal commas), Nedap ONS ECD (JSON, XML, CSV), Exact finance
// (CSV , and XML). `messy` adds the faults real exports have, at fixed, documented places.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { ACCOUNTS, EMPLOYMENT_TYPES, FUNCTIONS, LOCATIONS, OUTSOURCED_ACCOUNTS, PRISMANT_ACCOUNTS, PRISMANT_TABLE, SITES } from './organisation.js';
import { DAY, Random, isoDay, utc } from './random.js';
import { absenceHistory, careerSteps } from './hr-history.js';
import { plannedRoster, realisedShifts } from './roster.js';

export interface GenerateOptions {
  employees: number;
  clients: number;
  /** First and last year with activity (hours, absence, care, postings). */
  years: [number, number];
  seed: number;
  messy: boolean;
}

const nl = (iso: string) => {
  const [y, m, d] = iso.split('-');
  return `${Number(d)}-${Number(m)}-${y}`;
};
const comma = (n: number) => String(Math.round(n * 100) / 100).replace('.', ',');

function csv(rows: (string | number)[][], delimiter: string): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return s.includes(delimiter) || s.includes('"') || s.includes('\n') ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(delimiter)).join('\r\n') + '\r\n';
}


export interface GeneratedFiles {
  dir: string;
  files: string[];
  rows: number;
}

export function generate(outDir: string, o: GenerateOptions): GeneratedFiles {
  const r = new Random(o.seed);
  const [firstYear, lastYear] = o.years;
  const periodStart = utc(`${firstYear}-01-01`);
  const periodEnd = utc(`${lastYear}-12-31`);
  const written: string[] = [];
  let rows = 0;
  const write = (sub: string, name: string, content: string | Buffer) => {
    mkdirSync(join(outDir, sub), { recursive: true });
    writeFileSync(join(outDir, sub, name), content);
    written.push(join(sub, name));
  };

  // ---------------- HR (AFAS Profit) ----------------
  const employees: (string | number)[][] = [['Medewerker', 'Geboortedatum']];
  const employments: (string | number)[][] = [['Dienstverband', 'Medewerker', 'Begindatum', 'Einddatum', 'Soort']];
  const lines: (string | number)[][] = [['Dienstverband', 'Volgnummer', 'Begindatum', 'Einddatum', 'Functie', 'Organisatorische eenheid', 'Uren per week']];
  const absence: (string | number)[][] = [['Verzuimmelding', 'Dienstverband', 'Soort verzuim', 'Begindatum verzuim', 'Einddatum verzuim', 'Begindatum percentage', 'Einddatum percentage', 'Percentage aanwezig']];
  const hours: (string | number)[][] = [['Dienstverband', 'Datum', 'Uren', 'Organisatorische eenheid']];
  const functionWeights = FUNCTIONS.map((f) => [f, f[4]] as const);
  const typeWeights = EMPLOYMENT_TYPES.map(([t, w]) => [t, w] as const);
  let illnessSeq = 0;

  for (let i = 1; i <= o.employees; i++) {
    const id = `M${String(i).padStart(6, '0')}`;
    const birth = isoDay(utc(`${r.int(1958, 2005)}-01-01`) + r.int(0, 364) * DAY);
    employees.push([id, nl(birth)]);
    const type = r.weighted(typeWeights);
    const start = Math.min(periodEnd - 30 * DAY, utc(`${r.int(2008, lastYear)}-01-01`) + r.int(0, 364) * DAY);
    const ends = type === 'bepaalde tijd' || type === 'uitzendovereenkomst' || type === 'stagair' || r.chance(0.12);
    const end = ends ? Math.min(start + r.int(60, 900) * DAY, periodEnd + 200 * DAY) : undefined;
    const empId = `D${String(i).padStart(6, '0')}`;
    employments.push([empId, id, nl(isoDay(start)), end ? nl(isoDay(end)) : '', type]);
    const fn = r.weighted(functionWeights);
    const isCareFn = fn[2];
    const location = isCareFn || r.chance(0.5) ? r.pick(LOCATIONS).code : type === 'uitzendovereenkomst' ? '' : 'STAF';
    const size = type === 'vrijwilliger' ? 4 : r.pick([12, 16, 20, 24, 24, 28, 28, 32, 36, 36]);
    // A second line from a change date: function or unit changes in a third of the agreements.
    const change = !end || end - start > 200 * DAY ? (r.chance(0.33) ? start + r.int(60, 400) * DAY : undefined) : undefined;
    if (change && (!end || change < end)) {
      lines.push([empId, 1, nl(isoDay(start)), nl(isoDay(change - DAY)), fn[0], location, comma(size)]);
      const fn2 = r.chance(0.5) ? r.weighted(functionWeights) : fn;
      lines.push([empId, 2, nl(isoDay(change)), end ? nl(isoDay(end)) : '', fn2[0], fn2[2] ? r.pick(LOCATIONS).code : location, comma(Math.min(36, size + 4))]);
    } else {
      lines.push([empId, 1, nl(isoDay(start)), end ? nl(isoDay(end)) : '', fn[0], location, comma(size)]);
    }
    // Worked hours: one booking per month the agreement is active in the period.
    if (type !== 'vrijwilliger' && type !== 'stagair') {
      for (let y = firstYear; y <= lastYear; y++) {
        for (let m = 1; m <= 12; m++) {
          const day = utc(`${y}-${String(m).padStart(2, '0')}-01`);
          if (day < start || (end && day > end)) continue;
          const h = Math.round(size * 4.3 * (0.85 + r.next() * 0.25) * 4) / 4;
          hours.push([empId, nl(isoDay(day)), comma(h), location && r.chance(0.1) ? r.pick(LOCATIONS).code : location]);
        }
      }
    }
    // Absence: a quarter of the staff is ill once or twice; some partially; a few pregnancy leaves.
    if (type !== 'vrijwilliger' && r.chance(0.28)) {
      for (let k = r.int(1, 2); k > 0; k--) {
        const s = Math.max(start, periodStart) + r.int(0, 600) * DAY;
        if (s > periodEnd || (end && s > end)) continue;
        const pregnancy = r.chance(0.08);
        const len = pregnancy ? 112 : r.chance(0.7) ? r.int(1, 20) : r.int(29, 160);
        const e = s + (len - 1) * DAY;
        const open = !pregnancy && e > periodEnd;
        const melding = `V${String(++illnessSeq).padStart(6, '0')}`;
        const soort = pregnancy ? 'Zwangerschapsverlof' : 'Ziekte';
        if (!pregnancy && len > 40 && r.chance(0.5)) {
          const mid = s + Math.floor(len / 2) * DAY;
          absence.push([melding, empId, soort, nl(isoDay(s)), open ? '' : nl(isoDay(e)), nl(isoDay(s)), nl(isoDay(mid - DAY)), '0']);
          absence.push([melding, empId, soort, nl(isoDay(s)), open ? '' : nl(isoDay(e)), nl(isoDay(mid)), open ? '' : nl(isoDay(e)), '50']);
        } else {
          absence.push([melding, empId, soort, nl(isoDay(s)), open ? '' : nl(isoDay(e)), nl(isoDay(s)), open ? '' : nl(isoDay(e)), '0']);
        }
      }
    }
  }
  const functions: (string | number)[][] = [['Functie', 'Omschrijving', 'Zorgfunctie', 'Kwalificatieniveau'], ...FUNCTIONS.map((f) => [f[0], f[1], f[2] ? 'J' : 'N', f[3]])];

  // Payroll journal: paid hours per employment per month (dated by the month's first day), as the
  // salary run books them: the worked hours of that month. Derived, so no randomness is drawn.
  const paidByMonth = new Map<string, number>();
  for (const [employment, date, worked] of hours.slice(1)) {
    const [, month, year] = String(date).split('-');
    const key = `${String(employment)};1-${month}-${year}`;
    paidByMonth.set(key, (paidByMonth.get(key) ?? 0) + Number(String(worked).replace(',', '.')));
  }
  const paid: (string | number)[][] = [
    ['Dienstverband', 'Periode', 'Verloonde uren', 'Einde periode'],
    ...[...paidByMonth].map(([key, total]) => {
      const [employment, first] = key.split(';') as [string, string];
      const [, month, year] = first.split('-').map(Number) as [number, number, number];
      return [employment, first, total.toFixed(2).replace('.', ','), nl(isoDay(Date.UTC(year, month, 0)))];
    }),
  ];

  if (o.messy) {
    paid.push(['D999999', '1-1-2024', '12,5', '31-1-2024']); // an employment payroll knows but HR does not
    employees.push(employees[3]!); // exact duplicate row
    employees.push(['', '1-1-1980']); // missing key
    employees.push(['M900001', '1975-13-01']); // impossible date
    employees.push(['M900002', 'Wed Jan 31 00:00:00 CET 1980']); // Java date format: accepted
    employees.push(['M900003', '31/1/1975']); // slashes: accepted
    employments.push(['D900001', 'M900002', '1-3-2024', '1-2-2024', 'bepaalde tijd']); // end before start
    employments.push(['D900002', 'M900003', '1-3-2024', '', 'detachering']); // unknown code
    employments.push(['D900003', 'M900003', '2024-04-01', '', 'onbepaalde tijd']); // ISO date: accepted
    employments.push(['D900003', 'M900003', '2024-05-01', '', 'onbepaalde tijd']); // same key, other values
    employments.push(['D900004', 'M999999', '1-1-2024', '', 'onbepaalde tijd']); // unknown employee
    lines.push(['D900001', 1, '1-3-2024', '', 'F110', 'ARN-PG', '24']); // its agreement was quarantined
    lines.push(['D900003', 1, '1-4-2024', '', 'F999', 'ARN-PG', '24']); // unknown function
    lines.push(['D900003', 2, '1-4-2025', '', 'F110', 'ARN-PG', 'veel']); // not a number
    lines.push(['D900003', 3, '1-5-2025', '', 'F110', 'ARN-SOM', '1.234,5']); // 1234.5 h/week: out of range
    absence.push(['V900001', 'D000001', 'Ziekte', '1-2-2024', '5-2-2024', '1-2-2024', '5-2-2024', '120']); // > 100 %
    hours.push(['D000002', '15-1-2024', '7,5', 'XX-ONBEKEND']); // unit unknown to the ECD: SHACL finding
  }
  careerSteps(lines, employments, firstYear);
  absence.push(...absenceHistory(employments, firstYear - 1, o.seed + 4));
  const realised = realisedShifts(hours.slice(1), `${firstYear}-06`, o.messy);
  write('ons-roosteren', `realisatie-juni-${firstYear}.csv`, csv(realised, ';'));
  // The plan of the two weeks around 30 June (IGJ aangekondigd 1.2.3/1.4.1/1.4.2), its own random stream.
  const roster = plannedRoster(hours.slice(1), realised, `${firstYear}-06`, o.seed + 3, o.messy);
  write('ons-roosteren', 'rooster-diensten.csv', csv(roster, ';'));
  rows += realised.length - 1 + roster.length - 1;
  write('afas-hr', 'medewerkers.csv', csv(employees, ';'));
  // Functions come from an old Windows tool: Windows-1252, as real exports often are.
  write('afas-hr', 'functies.csv', iconv.encode(csv(functions, ';'), 'windows-1252'));
  write('afas-hr', 'dienstverbanden.csv', csv(employments, ';'));
  write('afas-hr', 'formatie.csv', csv(lines, ';'));
  write('afas-hr', 'verzuim.csv', csv(absence, ';'));
  write('afas-hr', 'uren.csv', csv(hours, ';'));
  write('afas-hr', 'loonjournaal.csv', csv(paid, ';'));
  rows += employees.length + functions.length + employments.length + lines.length + absence.length + hours.length + paid.length - 7;

  // ---------------- ECD (Nedap ONS) ----------------
  const sites = SITES.map((s) => ({ vestigingsnummer: s.number, naam: s.name, postcode: s.postcode, huisnummer: s.houseNumber }));
  const locations = [
    ...LOCATIONS.map((l) => ({ code: l.code, naam: l.name, vestigingsnummer: l.site })),
    { code: 'STAF', naam: 'Centraal bureau', vestigingsnummer: SITES[0]!.number },
  ];
  const clients: Record<string, string>[] = [];
  const indications: string[] = [];
  const trajects: Record<string, string>[] = [];
  for (let i = 1; i <= o.clients; i++) {
    const id = `C${String(i).padStart(6, '0')}`;
    const loc = r.pick(LOCATIONS);
    const start = utc(`${firstYear - 2}-01-01`) + r.int(0, (lastYear - firstYear + 2) * 365) * DAY;
    const stay = loc.profile === '9BVV' ? r.int(14, 90) : loc.profile === '10VV' ? r.int(5, 60) : r.int(90, 1500);
    const end = start + stay * DAY <= periodEnd ? start + stay * DAY : undefined;
    const client: Record<string, string> = { clientnummer: id, geboortedatum: isoDay(utc(`${r.int(1925, 1950)}-01-01`) + r.int(0, 364) * DAY) };
    if (end && r.chance(0.7) && loc.profile !== '9BVV') client.overlijdensdatum = isoDay(end);
    clients.push(client);
    const law = loc.profile === '9BVV' && r.chance(0.5) ? 'Zvw' : 'Wlz';
    const delivery = law === 'Wlz' ? r.weighted([['instelling', 90], ['vpt', 6], ['mpt', 4]] as const) : '';
    const besluit = `B${String(i).padStart(7, '0')}`;
    indications.push(
      `  <Indicatie>\n    <Besluitnummer>${besluit}</Besluitnummer>\n    <Clientnummer>${id}</Clientnummer>\n    <Wet>${law}</Wet>\n` +
        (law === 'Wlz' ? `    <Zorgprofiel>${r.chance(0.5) ? loc.profile : `VV${loc.profile.replace('VV', '').padStart(2, '0')}`}</Zorgprofiel>\n    <Leveringsvorm>${delivery}</Leveringsvorm>\n` : '') +
        `    <Ingangsdatum>${isoDay(start - 14 * DAY)}</Ingangsdatum>\n` +
        (end ? `    <Einddatum>${isoDay(end)}</Einddatum>\n` : '') +
        `    <Behandeling>${r.chance(0.3) ? 'J' : 'N'}</Behandeling>\n  </Indicatie>\n`,
    );
    const traject: Record<string, string> = { trajectId: `T${String(i).padStart(7, '0')}`, clientnummer: id, besluitnummer: besluit, locatieCode: loc.code, begindatum: isoDay(start) };
    if (end) traject.einddatum = isoDay(end);
    trajects.push(traject);
  }
  const units: (string | number)[][] = [['Wooneenheid', 'Locatie', 'Capaciteit']];
  for (const loc of LOCATIONS) {
    const n = Math.max(4, Math.round((o.clients / LOCATIONS.length) * 0.75));
    for (let u = 1; u <= n; u++) units.push([`${loc.code}-${String(u).padStart(3, '0')}`, loc.code, r.chance(0.1) ? 2 : 1]);
  }
  // Derived without drawing randomness (so the other files stay as they were): the facility
  // module's occupancy on the last day of the data, and one Wlz invoice per care period, a few of
  // them Korsakov care (EX001/EX003/EX004), some not (yet) approved.
  const occupancy: (string | number)[][] = [
    ['Wooneenheid', 'Peildatum', 'Bezet', 'Bewoners'],
    ...units.slice(1).map((u, i) => (i % 9 === 4 ? [u[0]!, isoDay(periodEnd), 'N', 0] : [u[0]!, isoDay(periodEnd), 'J', u[2]!])),
  ];
  const invoices: (string | number)[][] = [
    ['Declaratie', 'Traject', 'Prestatiecode', 'Datum', 'Bedrag', 'Goedgekeurd'],
    ...trajects.map((t, i) => [
      `F${String(i + 1).padStart(7, '0')}`,
      t.trajectId!,
      i % 17 === 3 ? 'EX001' : i % 23 === 5 ? 'EX003' : i % 31 === 7 ? 'EX004' : 'Z105',
      t.begindatum!,
      (1234.5 + (i % 7) * 100).toFixed(2).replace('.', ','),
      i % 13 === 12 ? 'N' : 'J',
    ]),
  ];

  if (o.messy) {
    invoices.push(['F9000001', 'T9999999', 'EX001', '2024-05-01', '100,00', 'J']); // a care period the ECD does not know
    clients.push({ clientnummer: 'C900001', geboortedatum: '' }); // missing birth date
    indications.push('  <Indicatie>\n    <Besluitnummer>B9000001</Besluitnummer>\n    <Clientnummer>C000001</Clientnummer>\n    <Wet>Wlz</Wet>\n    <Zorgprofiel>VV11</Zorgprofiel>\n    <Leveringsvorm>instelling</Leveringsvorm>\n    <Ingangsdatum>2024-01-01</Ingangsdatum>\n  </Indicatie>\n');
    trajects.push({ trajectId: 'T9000001', clientnummer: 'C000002', besluitnummer: 'B0000002', locatieCode: 'ARN-PG', begindatum: '2024-03-01', einddatum: '2023-03-01' });
  }
  // Fixed clients after everything drawn above (no randomness, so the rows before them stay): three Zvw
  // clients in Arnhem somatiek around 30-6 of the first year (ELV declaratie, GRZ DBCs, one DBC with a
  // truncated zorgproductcode in the messy export) for IGJ 1.1.3, and two Wlz clients with a
  // persoonsgebonden budget (leveringsvorm pgb, NZa Wmg 2.2).
  const fy = firstYear;
  const fixed = [
    // client, birth, besluit, law, profile, delivery, indication start, end, treatment, care start, care end, location
    ['C000901', '1941-03-12', 'B0000901', 'Zvw', '', '', `${fy}-06-01`, `${fy}-08-31`, 'J', `${fy}-06-03`, `${fy}-07-26`, 'ARN-SOM'],
    ['C000902', '1948-11-02', 'B0000902', 'Zvw', '', '', `${fy}-05-20`, `${fy}-09-15`, 'J', `${fy}-05-21`, '', 'ARN-SOM'],
    ['C000903', '1937-07-21', 'B0000903', 'Zvw', '', '', `${fy}-06-10`, `${fy}-07-31`, 'J', `${fy}-06-11`, '', 'ARN-SOM'],
    ['C000904', '1939-02-14', 'B0000904', 'Wlz', 'VV05', 'pgb', `${fy}-03-01`, '', 'N', `${fy}-03-01`, '', 'ARN-PG'],
    ['C000905', '1944-09-30', 'B0000905', 'Wlz', 'VV06', 'pgb', `${fy + 1}-01-01`, '', 'N', `${fy + 1}-01-06`, '', 'NIJ-SOM'],
  ] as const;
  for (const [id, birth, besluit, law, profile, delivery, start, end, treatment, careStart, careEnd, loc] of fixed) {
    clients.push({ clientnummer: id, geboortedatum: birth });
    indications.push(
      `  <Indicatie>\n    <Besluitnummer>${besluit}</Besluitnummer>\n    <Clientnummer>${id}</Clientnummer>\n    <Wet>${law}</Wet>\n` +
        (profile ? `    <Zorgprofiel>${profile}</Zorgprofiel>\n    <Leveringsvorm>${delivery}</Leveringsvorm>\n` : '') +
        `    <Ingangsdatum>${start}</Ingangsdatum>\n` + (end ? `    <Einddatum>${end}</Einddatum>\n` : '') + `    <Behandeling>${treatment}</Behandeling>\n  </Indicatie>\n`,
    );
    trajects.push({ trajectId: `T${besluit.slice(1)}`, clientnummer: id, besluitnummer: besluit, locatieCode: loc, begindatum: careStart, ...(careEnd ? { einddatum: careEnd } : {}) });
  }
  invoices.push(['F0000901', 'T0000901', '1002', `${fy}-07-31`, '5863,20', 'J']);
  const dbc: (string | number)[][] = [
    ['DBC-nummer', 'Traject', 'Zorgproductcode', 'Einddatum DBC', 'Bedrag', 'Goedgekeurd'],
    ['DBC0000902', 'T0000902', '972800066', `${fy}-06-28`, '4120,00', 'J'],
    ['DBC0000903', 'T0000903', o.messy ? '97280006' : '972800066', `${fy}-07-15`, '2300,00', 'J'], // messy: code lost its last digit
  ];
  write('ons-ecd', 'dbc-grz.csv', csv(dbc, ';'));
  rows += dbc.length - 1;
  write('ons-ecd', 'vestigingen.json', JSON.stringify({ vestigingen: sites }, null, 2));
  write('ons-ecd', 'locaties.json', JSON.stringify({ locaties: locations }, null, 2));
  write('ons-ecd', 'clienten.json', JSON.stringify({ clienten: clients }, null, 2));
  write('ons-ecd', 'indicaties.xml', `<?xml version="1.0" encoding="UTF-8"?>\n<Indicaties>\n${indications.join('')}</Indicaties>\n`);
  write('ons-ecd', 'zorgtrajecten.json', JSON.stringify({ zorgtrajecten: trajects }, null, 2));
  write('ons-ecd', 'wooneenheden.csv', csv(units, ','));
  write('ons-ecd', 'bezetting.csv', csv(occupancy, ';'));
  write('ons-ecd', 'declaraties.csv', csv(invoices, ';'));
  rows += sites.length + locations.length + clients.length + indications.length + trajects.length + units.length + occupancy.length + invoices.length - 3;

  // ---------------- Finance (Exact) ----------------
  const accounts: (string | number)[][] = [['Rekening', 'Omschrijving', 'RGS-code'], ...ACCOUNTS.map((a) => [a[0], a[1], a[2]])];
  const centres: (string | number)[][] = [['Kostenplaats', 'Omschrijving', 'Vestigingsnummer'], ...SITES.map((s, i) => [`KP${i + 1}`, s.name, s.number]), ['KP0', 'Algemeen', '']];
  const scale = o.employees / 150;
  const postingLines: string[] = [];
  let entry = 0;
  for (let y = firstYear; y <= lastYear; y++) {
    for (let m = 1; m <= 12; m++) {
      entry++;
      let line = 0;
      for (const [acc, , , kind] of ACCOUNTS) {
        if (kind === 'balance') continue;
        for (const kp of ['KP1', 'KP2', 'KP3']) {
          const base = kind === 'revenue' ? -180_000 : -(-40_000);
          const amount = (base * scale * (0.8 + r.next() * 0.4)) / 3;
          postingLines.push(`    <GLTransactionLine entry="${y}${String(m).padStart(2, '0')}${String(entry).padStart(4, '0')}" line="${++line}">\n      <Date>${y}-${String(m).padStart(2, '0')}-28</Date>\n      <GLAccount>${acc}</GLAccount>\n      <Amount>${amount.toFixed(2)}</Amount>\n      <CostCenter>${kp}</CostCenter>\n    </GLTransactionLine>\n`);
        }
      }
    }
  }
  const balances: (string | number)[][] = [['RGS-code', 'Datum', 'Saldo']];
  for (const y of [firstYear - 1, firstYear]) {
    for (const [code, amount] of [['BMva', 12_500_000], ['BLim', 1_800_000], ['BVor', 950_000], ['BEivOvr', -6_200_000], ['BSch', -1_100_000], ['BLas', -7_950_000]] as const) {
      balances.push([code, `31-12-${y}`, comma(amount * scale * (y === firstYear ? 1.03 : 1))]);
    }
  }
  if (o.messy) {
    accounts.push(['9999', 'Tussenrekening', 'WXyzAbc']); // RGS code that does not exist: SHACL finding
    postingLines.push(`    <GLTransactionLine entry="X1" line="1">\n      <Date>${firstYear}-06-30</Date>\n      <GLAccount>4000</GLAccount>\n      <Amount>1.234,56</Amount>\n      <CostCenter>KP1</CostCenter>\n    </GLTransactionLine>\n`);
    postingLines.push(`    <GLTransactionLine entry="X2" line="1">\n      <Date>${firstYear}-06-30</Date>\n      <GLAccount>7777</GLAccount>\n      <Amount>10.00</Amount>\n    </GLTransactionLine>\n`);
  }
  // The Prismant accounts and the conversion table come after everything above, from their own
  // random stream, so the rows before them (and their faults' row numbers) stay as they were.
  const rp = new Random(o.seed + 1);
  accounts.push(...PRISMANT_ACCOUNTS.map((a) => [a[0], a[1], a[2]]));
  for (let y = firstYear; y <= lastYear; y++) {
    for (let m = 1; m <= 12; m++) {
      const mm = String(m).padStart(2, '0');
      PRISMANT_ACCOUNTS.forEach(([acc, , , , monthly], i) => {
        const amount = monthly * scale * (0.8 + rp.next() * 0.4);
        postingLines.push(`    <GLTransactionLine entry="P${y}${mm}" line="${i + 1}">\n      <Date>${y}-${mm}-28</Date>\n      <GLAccount>${acc}</GLAccount>\n      <Amount>${amount.toFixed(2)}</Amount>\n      <CostCenter>${rp.pick(['KP0', 'KP1', 'KP2', 'KP3'])}</CostCenter>\n    </GLTransactionLine>\n`);
      });
    }
  }
  // Two years of ledger history before the other data: NZa kostenonderzoek 1.1, 3.2 and 4.1–4.3
  // hard-code 2022 or 2023 in their texts (KNOWN-ISSUES 9), and a real ledger export has history.
  const pl = [
    ...ACCOUNTS.filter((a) => a[3] !== 'balance').map((a) => [a[0], a[3] === 'revenue' ? -180_000 : 40_000] as const),
    ...PRISMANT_ACCOUNTS.map((a) => [a[0], a[4]] as const),
  ];
  for (let y = firstYear - 2; y < firstYear; y++) {
    for (let m = 1; m <= 12; m++) {
      const mm = String(m).padStart(2, '0');
      pl.forEach(([acc, monthly], i) => {
        const amount = monthly * scale * (0.8 + rp.next() * 0.4);
        postingLines.push(`    <GLTransactionLine entry="H${y}${mm}" line="${i + 1}">\n      <Date>${y}-${mm}-28</Date>\n      <GLAccount>${acc}</GLAccount>\n      <Amount>${amount.toFixed(2)}</Amount>\n      <CostCenter>${rp.pick(['KP0', 'KP1', 'KP2', 'KP3'])}</CostCenter>\n    </GLTransactionLine>\n`);
      });
    }
  }
  // Outsourced care, last and from a third stream (the rows above stay as they were), 2022 on.
  const ro = new Random(o.seed + 2);
  accounts.push(...OUTSOURCED_ACCOUNTS.map((a) => [a[0], a[1], a[2]]));
  for (let y = firstYear - 2; y <= lastYear; y++) {
    for (let m = 1; m <= 12; m++) {
      const mm = String(m).padStart(2, '0');
      OUTSOURCED_ACCOUNTS.forEach(([acc, , , monthly], i) => {
        const amount = monthly * scale * (0.8 + ro.next() * 0.4);
        postingLines.push(`    <GLTransactionLine entry="U${y}${mm}" line="${i + 1}">\n      <Date>${y}-${mm}-28</Date>\n      <GLAccount>${acc}</GLAccount>\n      <Amount>${amount.toFixed(2)}</Amount>\n      <CostCenter>${ro.pick(['KP1', 'KP2', 'KP3'])}</CostCenter>\n    </GLTransactionLine>\n`);
      });
    }
  }
  const prismant: (string | number)[][] = [['Rekening', 'Prismant-rubriek'], ...PRISMANT_TABLE.map(([acc, code]) => [acc, code])];
  if (o.messy) {
    prismant.push(['4999', '455100']); // an account the chart of accounts does not have
    prismant.push(['4100', '4181']); // a code of the old 4-digit scheme: not a Prismant rubriek (4100 stays on RGS)
  }
  write('exact-fin', 'prismant-rekeningschema.csv', csv(prismant, ';'));
  rows += prismant.length - 1;
  write('exact-fin', 'grootboekrekeningen.csv', csv(accounts, ','));
  write('exact-fin', 'kostenplaatsen.csv', csv(centres, ','));
  write('exact-fin', 'boekingen.xml', `<?xml version="1.0" encoding="UTF-8"?>\n<eExact>\n  <GLTransactions>\n${postingLines.join('')}  </GLTransactions>\n</eExact>\n`);
  write('exact-fin', 'balans.csv', csv(balances, ';'));
  rows += accounts.length + centres.length + postingLines.length + balances.length - 3;
  if (o.messy) write('', 'notities.txt', 'Export gemaakt door de afdeling P&O. Niet importeren.\n');
  return { dir: outDir, files: written, rows };
}
