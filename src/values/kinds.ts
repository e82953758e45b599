// The figures no source system holds that the official profiles read (KIK-V "berekende waarden",
// entered by hand). Each kind is written as the profile's query reads it: NZa Basisinformatie
// kostenonderzoek 1.1.1 indicators 12.1, 12.2 and 14.1 sum
//   ?post a onz-fin:Grootboekpost ; onz-g:partOf <rubriek> ; onz-g:isAbout ?kosten ; onz-g:hasDate ?datum .
//   ?kosten onz-g:hasQuality / onz-g:hasQualityValue / onz-g:hasDataValue ?bedrag .
// with ?datum inside the asked period, a shape the exact-fin mapping does not produce.
export interface ValueKind {
  kind: string;
  title: string;
  /** The Prismant rubriek (onz-fin local name) the query selects. */
  rubriek: string;
  units: string[];
  /** Which official indicators read it. */
  readBy: string[];
}

export const VALUE_KINDS: ValueKind[] = [
  { kind: 'nza-wettelijk-budget', title: 'Wettelijk toegekend budget', rubriek: 'PM811000', units: ['EUR'], readBy: ['nza-kostenonderzoek 1.1.1 12.1'] },
  { kind: 'nza-budgetcorrecties', title: 'Berekende correcties op het toegekend wettelijk budget', rubriek: 'PM812000', units: ['EUR'], readBy: ['nza-kostenonderzoek 1.1.1 12.2'] },
  { kind: 'nza-correctie-voorgaande-jaren', title: 'Correctie budgetafrekeningen voorgaande boekjaren', rubriek: 'PM891000', units: ['EUR'], readBy: ['nza-kostenonderzoek 1.1.1 14.1'] },
];

export function valueKind(kind: string): ValueKind | undefined {
  return VALUE_KINDS.find((k) => k.kind === kind);
}
