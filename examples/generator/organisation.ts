// A fictitious nursing home, "Zorggroep De Linde": sites, locations, functions and accounts.
// Shared by the committed example and the benchmark sizes.

export interface Site {
  number: string; // 12-digit KvK vestigingsnummer
  name: string;
  postcode: string;
  houseNumber: string;
  locations: { code: string; name: string; profile: string }[];
}

/** 3 sites in 2 zorgkantoor regions (Arnhem: Menzis, Nijmegen: VGZ), per our reference table. */
export const SITES: Site[] = [
  {
    number: '000012345601', name: 'De Linde Arnhem', postcode: '6821 AB', houseNumber: '12',
    locations: [
      { code: 'ARN-PG', name: 'Arnhem psychogeriatrie', profile: '5VV' },
      { code: 'ARN-SOM', name: 'Arnhem somatiek', profile: '6VV' },
    ],
  },
  {
    number: '000012345602', name: 'De Linde Velp', postcode: '6881CD', houseNumber: '3',
    locations: [
      { code: 'VLP-PG', name: 'Velp kleinschalig wonen', profile: '5VV' },
      { code: 'VLP-HERST', name: 'Velp herstelafdeling', profile: '9BVV' },
    ],
  },
  {
    number: '000012345603', name: 'De Lindehof Nijmegen', postcode: '6521EF', houseNumber: '40',
    locations: [
      { code: 'NIJ-PG', name: 'Nijmegen psychogeriatrie', profile: '7VV' },
      { code: 'NIJ-SOM', name: 'Nijmegen somatiek', profile: '8VV' },
      { code: 'NIJ-PALL', name: 'Nijmegen palliatieve unit', profile: '10VV' },
    ],
  },
];

export const LOCATIONS = SITES.flatMap((s) => s.locations.map((l) => ({ ...l, site: s.number })));

/** Functions: code, name, care function (the organisation's choice), ODB level, weight in the workforce. */
export const FUNCTIONS = [
  ['F100', 'Verpleegkundige', true, '5', 10],
  ['F110', 'Verzorgende IG', true, '3', 30],
  ['F120', 'Helpende Plus', true, '2', 14],
  ['F130', 'Zorgassistent', true, '1', 8],
  ['F140', 'Specialist ouderengeneeskunde', true, '6', 2],
  ['F150', 'Coördinator zorg', true, '4', 4],
  ['F200', 'Activiteitenbegeleider', false, '3', 6],
  ['F300', 'Facilitair medewerker', false, '', 12],
  ['F310', 'Administratief medewerker', false, '', 8],
  ['F320', 'Teamleider', false, '', 4],
] as const;

/** AFAS employment kinds with their share of the agreements. */
export const EMPLOYMENT_TYPES = [
  ['onbepaalde tijd', 58],
  ['bepaalde tijd', 20],
  ['oproepcontract', 6],
  ['BBL', 4],
  ['uitzendovereenkomst', 5],
  ['inhuur', 2],
  ['stagair', 2],
  ['vrijwilliger', 3],
] as const;

/** Exact accounts: number, description, RGS code, kind (how postings are generated). */
export const ACCOUNTS = [
  ['0100', 'Gebouwen', 'BMva', 'balance'],
  ['0200', 'Inventaris', 'BMva', 'balance'],
  ['1000', 'Liquide middelen', 'BLim', 'balance'],
  ['1300', 'Debiteuren', 'BVor', 'balance'],
  ['0500', 'Algemene reserve', 'BEivOvr', 'balance'],
  ['1600', 'Crediteuren', 'BSch', 'balance'],
  ['0700', 'Hypothecaire lening', 'BLas', 'balance'],
  ['8000', 'Opbrengsten Wlz', 'WOmzNzo', 'revenue'],
  ['8100', 'Opbrengsten Zvw', 'WOmz', 'revenue'],
  ['4000', 'Salarissen zorg', 'WPerLes', 'cost'],
  ['4010', 'Sociale lasten', 'WPerSol', 'cost'],
  ['4020', 'Pensioenlasten', 'WPerPen', 'cost'],
  ['4100', 'Uitzendkrachten', 'WBedOvpUik', 'cost'],
  ['4110', 'Inhuur zzp', 'WBedOvpZzp', 'cost'],
  ['4200', 'Voeding', 'WBedOvp', 'cost'],
  ['4300', 'Afschrijvingen', 'WAfs', 'cost'],
] as const;

/**
 * Accounts the NZa kostenonderzoek asks about by Prismant code only (food, transport, energy, rent,
 * budget corrections …): number, description, RGS code, Prismant code, monthly amount at 150
 * employees (negative: revenue, as Exact books it).
 */
export const PRISMANT_ACCOUNTS = [
  ['4030', 'Opleidingskosten', 'WBedOvp', '423100', 3_000],
  ['4210', 'Linnen en wasverzorging', 'WBed', '441100', 4_500],
  ['4220', 'Vervoer cliënten', 'WBed', '443100', 1_800],
  ['4310', 'Afschrijving vervoermiddelen', 'WAfs', '484222', 900],
  ['4320', 'Huur gebouw Velp', 'WBed', '486215', 12_000],
  ['4330', 'Dotatie overige voorzieningen', 'WBed', '489221', 1_500],
  ['4400', 'Administratie- en kantoorkosten', 'WBed', '451100', 6_000],
  ['4500', 'Medische middelen cliënten', 'WBed', '461100', 2_500],
  ['4600', 'Onderhoud gebouwen', 'WBed', '471100', 7_000],
  ['4610', 'Dotatie voorziening groot onderhoud', 'WBed', '472000', 5_000],
  ['4620', 'Energie (gas, elektra, water)', 'WBed', '473100', 9_000],
  ['4900', 'Doorbelasting hulpbedrijf keuken', 'WBed', '491000', 2_000],
  ['8010', 'Correctie toegekend budget', 'WOmz', '812000', -4_000],
  ['8200', 'Eigen bijdragen cliënten', 'WOmz', '822000', -15_000],
  ['8300', 'Overige bedrijfsopbrengsten (verhuur)', 'WOmz', '821000', -2_500],
  ['8900', 'Correctie budgetafrekening voorgaande jaren', 'WOmz', '891000', -1_000],
] as const;

/**
 * Outsourced work, booked on RGS only: care bought from another provider (onderaanneming) is
 * "kosten uitbesteed werk" (WKprKuw), which Zorgkantoren 24.7 and 24.9 set against revenues and
 * against the organisation's own staff costs. Number, description, RGS code, monthly amount at 150
 * employees.
 */
export const OUTSOURCED_ACCOUNTS = [
  ['4120', 'Onderaanneming zorg (uitbesteed werk)', 'WKprKuw', 8_500],
] as const;

/**
 * The organisation's conversion table to Prismant: the new accounts and the existing ones whose
 * category the NZa queries name only by Prismant code. Salaries, social charges and agency staff
 * stay on RGS (the NZa queries list WPerLes, WPerSol and WBedOvpUik themselves).
 */
export const PRISMANT_TABLE: readonly (readonly [string, string])[] = [
  ['4020', '422300'],
  ['4200', '431100'],
  ['4300', '482112'],
  ['8000', '811000'],
  ...PRISMANT_ACCOUNTS.map((a) => [a[0], a[3]] as const),
];
