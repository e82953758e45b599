// The parameters .ci/run gives each official profile, and where the profiles sit in ../shared/conformance.
/** Some official examples name years outside the example data: these are the ones CI checks with. */
export const CI_PARAMETERS: Record<string, Record<string, unknown>> = {
  'zorgkantoren-inkoopondersteuning-en-beleidsontwikkeling': { jaar: 2024, kwartaal: 'Q2', peildatum: '2024-12-31', startperiode: '2024-01-01', eindperiode: '2024-12-31' },
  'igj-contextinformatie-t-b-v-aangekondigd-inspectiebezoek': { peildatum: '2024-06-30', vestigingsnummer: '000012345601' },
  'igj-contextinformatie-t-b-v-onaangekondigd-inspectiebezoek': { peildatum: '2024-06-30', vestigingsnummer: '000012345601' },
  'nza-structurele-informatieverstrekking-bedrijfsvoering-wmg': { jaar: 2025 },
  'nza-basisinformatie-kostenonderzoek': { start_periode: '2024-01-01', eind_periode: '2024-12-31', start_periode_datum: '2024-01-01', eind_periode_datum: '2024-12-31' },
  'ministerie-van-vws-jaarverantwoording-zorg': { jaar: 2024 },
};
export const OFFICIAL = ['zorgkantoren-1.3.5/queries', 'igj-aangekondigd-1.0.0', 'igj-onaangekondigd-1.2.0', 'nza-wmg-1.1.1', 'nza-kostenonderzoek-1.1.1', 'vws-jaarverantwoording-1.1.1'];

