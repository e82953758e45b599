// Shared pieces: the htm binding, Dutch messages for the API's error codes, tables and the bar chart.
import { h, Component, Fragment } from '../vendor/preact.js';
import htm from '../vendor/htm.js';

export const html = htm.bind(h);
export { Component, Fragment };

const MESSAGES = {
  sign_in_failed: 'Aanmelden mislukt: onbekend account of verkeerd wachtwoord.',
  sign_in_required: 'U bent niet (meer) aangemeld. Meld u opnieuw aan.',
  csrf: 'De beveiligingscontrole van dit verzoek klopte niet. Laad de pagina opnieuw.',
  forbidden: 'Uw rol staat deze handeling niet toe.',
  unknown_release: 'Deze vraag bestaat niet (meer).',
  not_pending: 'Over deze vraag is al besloten.',
  bad_correction: 'De correctie klopt niet (onbekende vraag, rij of kolom, of een ongeldige waarde).',
  reason_required: 'Geef een reden op.',
  small_cells_blocked: 'Dit antwoord bevat kleine aantallen en mag volgens het beleid niet zo worden vrijgegeven.',
  audit_unavailable: 'Het besluit kan niet in het auditlog worden vastgelegd en is daarom niet genomen.',
  rate_limited: 'Te veel verzoeken. Wacht even en probeer het opnieuw.',
  unknown_generation: 'Deze generatie bestaat niet (meer).',
  already_current: 'Deze generatie is al in gebruik.',
  corrupt_generation: 'Deze generatie is beschadigd en kan niet worden gebruikt.',
  import_running: 'Er loopt een import. Probeer het opnieuw als die klaar is.',
  no_dataset: 'Er worden nog geen gegevens gebruikt; importeer eerst.',
  coverage_running: 'Er loopt al een controle. Probeer het zo opnieuw.',
  bad_filter: 'De zoekopdracht klopt niet (bijvoorbeeld een ongeldige datum).',
  audit_busy: 'Er loopt al een controle of export van het auditlog. Probeer het zo opnieuw.',
  reason_too_long: 'De reden is te lang (hoogstens 500 tekens).',
  bad_request: 'Het verzoek klopt niet. Laad de pagina opnieuw.',
  too_many_attempts: 'Te veel pogingen. Wacht even en probeer het opnieuw.',
  no_coverage: 'De dekking is nog niet gecontroleerd.',
  unknown_connection: 'Deze koppeling bestaat niet (meer).',
  connection_exists: 'Er is al een koppeling met deze naam.',
  unknown_system: 'Dit bronsysteem kent de datastation niet (geen koppeltabellen voor dit systeem).',
  run_busy: 'Deze koppeling wordt al ingelezen. Probeer het opnieuw als dat klaar is.',
  no_key_secret: 'De sleutel om inloggegevens te versleutelen ontbreekt op deze datastation.',
  credential_unreadable: 'De opgeslagen inloggegevens van deze koppeling zijn niet te lezen; voer ze opnieuw in.',
  unknown_value: 'Deze waarde bestaat niet (meer).',
  already_removed: 'Deze waarde is al verwijderd.',
  bad_value: 'De waarde klopt niet.',
  bad_connection: 'De koppeling klopt niet.',
  http_400: 'Het verzoek klopt niet.',
  http_401: 'Niet aangemeld of een onjuist beheertoken.',
  http_403: 'Uw rol staat deze handeling niet toe.',
  http_404: 'Deze functie is (nog) niet beschikbaar op deze datastation.',
  http_429: 'Te veel verzoeken. Wacht even en probeer het opnieuw.',
  http_503: 'De datastation kan dit nu niet uitvoeren. Probeer het later opnieuw.',
};

// A refused field (bad_value, bad_connection): the API's sentence starts with the field's path
// ("period.start: …"); the console says in Dutch which field to fix instead of echoing English.
const FIELDS = {
  kind: 'Kies een soort waarde.',
  period: 'Geef een geldige periode op: een begin- en einddatum, het einde niet voor het begin.',
  value: 'Geef een getal op, zoals 1234567,89.',
  unit: 'Kies een eenheid die bij deze soort waarde hoort.',
  reason: 'Geef een reden op (minstens 3 tekens).',
  source: 'Controleer de bron: een bestaande map, of een geldig http(s)-adres.',
  name: 'Kies een naam van kleine letters, cijfers en streepjes (hoogstens 63 tekens).',
  system: 'Geef het bronsysteem op, zoals afas-hr.',
  schedule: 'Het schema is geen geldig cron-patroon (5 velden, of 6 met seconden), bijvoorbeeld 0 2 * * *.',
  mappings: 'De koppeltabellen kloppen niet.',
  auth: 'De inloggegevens kloppen niet.',
};

function fieldSentence(error) {
  if (!['bad_value', 'bad_connection'].includes(error.code) || typeof error.detail !== 'string') return undefined;
  const field = /^([a-z]+)[.:[]/i.exec(error.detail)?.[1];
  return field ? FIELDS[field] : undefined;
}

/** The Dutch sentence for a refusal, by the API's error code: never the API's English sentence. */
export function message(error) {
  if (!error) return '';
  if (error instanceof TypeError) return 'De datastation is niet bereikbaar.';
  const text = MESSAGES[error.code] || (error.status ? MESSAGES[`http_${error.status}`] : undefined);
  const field = fieldSentence(error);
  if (text && field) return `${text} ${field}`;
  return text || `Er ging iets mis (foutcode ${error.code || 'onbekend'}).`;
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<p class="fout" role="alert" data-code=${error.code || ''}>${message(error)}</p>`;
}

// Why a connection run failed, by its code (src/connections/run.ts); the generation that stays in
// use is taken from the run's own sentence, which the operator can still open as the technical detail.
const RUN_FAILURES = {
  folder_missing: 'de map bestaat niet',
  folder_empty: 'de map bevat geen exportbestanden',
  fetch_failed: 'de bron was niet bereikbaar',
  http_status: 'de bron antwoordde met een foutcode',
  empty_download: 'de bron leverde een leeg bestand',
  shrunk_import: 'de import is geweigerd omdat de nieuwe export veel minder bruikbare gegevens bevat dan de vorige (bijvoorbeeld een ontbrekende of hernoemde kolom)',
  empty_source: 'geen enkele rij van de export kon worden ingelezen',
  nothing_to_import: 'er waren geen bestanden die de datastation kan inlezen',
  import_busy: 'er liep al een andere import',
  run_busy: 'deze koppeling werd al ingelezen',
  credential_unreadable: 'de opgeslagen inloggegevens zijn niet te lezen',
  no_key_secret: 'de sleutel voor de inloggegevens ontbreekt',
};

/** One Dutch sentence for a failed run: why, and which generation stays in use. */
export function runFailure(run) {
  const why = RUN_FAILURES[run.code] || 'het inlezen is mislukt';
  const stays = /generation (\S+?) stays current/.exec(run.error || '')?.[1];
  const rest = stays ? `generatie ${stays} blijft in gebruik` : /nothing is imported yet/.test(run.error || '') ? 'er is nog niets ingelezen' : 'de gegevens die in gebruik zijn blijven ongewijzigd';
  return `${why[0].toUpperCase()}${why.slice(1)}; ${rest}.`;
}

/** The run's own (English) sentence, folded away: file, row and column for whoever fixes the export. */
export function TechnicalDetail({ text }) {
  if (!text) return null;
  return html`<details class="technisch"><summary>Technische melding</summary><span lang="en">${text}</span></details>`;
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString('nl-NL', { dateStyle: 'medium', timeStyle: 'short' });
}

export const ROLE = { operator: 'beheerder', viewer: 'meekijker' };

/** A loader for one page: state {data, error, busy}, `load()` calls the page's `fetch()`. */
export class Page extends Component {
  constructor(props) {
    super(props);
    this.state = { data: undefined, error: undefined, busy: true };
  }
  componentDidMount() {
    void this.load();
  }
  async load() {
    this.setState({ busy: true, error: undefined });
    try {
      this.setState({ data: await this.fetch(), busy: false });
    } catch (error) {
      this.setState({ error, busy: false });
    }
  }
}

const NUMERIC_TYPES = /#(integer|decimal|double|float|long|int|short|byte|nonNegativeInteger|positiveInteger|nonPositiveInteger|negativeInteger|unsignedInt|unsignedLong)$/;

export function cellText(cell) {
  if (cell === undefined || cell === null) return '';
  if (typeof cell !== 'object') return String(cell);
  return cell.value === undefined ? '' : String(cell.value);
}

/** Columns whose every filled cell is a number (by datatype or by form). */
export function numericColumns(vars, rows) {
  return vars.filter((v) => {
    let seen = 0;
    for (const row of rows) {
      const cell = row[v];
      if (cell === undefined || cell === null || cellText(cell) === '') continue;
      // a SPARQL term is numeric by its datatype (a site number "000012345601" is a string);
      // a bare value by its form
      const numeric = typeof cell === 'object' ? Boolean(cell.datatype && NUMERIC_TYPES.test(cell.datatype)) : /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(cellText(cell).trim());
      if (!numeric) return false;
      seen++;
    }
    return seen > 0;
  });
}

/** A horizontal bar chart of one numeric column, labelled by the first other column. */
export function BarChart({ vars, rows, column }) {
  const labelVar = vars.find((v) => v !== column);
  const shown = rows.slice(0, 40);
  const values = shown.map((r) => Number(cellText(r[column])) || 0);
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const labelWidth = 200;
  const plot = 380;
  const bar = 18;
  const height = shown.length * (bar + 6) + 8;
  const x0 = labelWidth + ((0 - min) / span) * plot;
  return html`<figure class="grafiek">
    <figcaption>${column}${rows.length > shown.length ? ` (eerste ${shown.length} van ${rows.length} rijen)` : ''}</figcaption>
    <svg viewBox="0 0 ${labelWidth + plot + 70} ${height}" width="100%" role="img" aria-label=${`Staafdiagram van ${column}`}>
      ${shown.map((r, i) => {
        const y = 4 + i * (bar + 6);
        const v = values[i];
        const x = labelWidth + ((Math.min(v, 0) - min) / span) * plot;
        const w = (Math.abs(v) / span) * plot;
        // an IRI by its last part (…#StageOvereenkomst): the full one is in the table
        const raw = labelVar ? cellText(r[labelVar]) : `rij ${i + 1}`;
        const label = labelVar && r[labelVar]?.type === 'uri' ? raw.replace(/^.*[#/](?=[^#/]+$)/, '') : raw;
        return html`<g key=${i}>
          <text x=${labelWidth - 6} y=${y + bar - 5} text-anchor="end" class="as">${label.length > 30 ? `${label.slice(0, 29)}…` : label}</text>
          <rect x=${x} y=${y} width=${Math.max(w, 0.5)} height=${bar} class="staaf"></rect>
          <text x=${x + w + 4} y=${y + bar - 5} class="waarde">${cellText(r[column])}</text>
        </g>`;
      })}
      <line x1=${x0} x2=${x0} y1="0" y2=${height} class="nul"></line>
    </svg>
  </figure>`;
}

export function StatusBadge({ status }) {
  const cls = { data: 'goed', approved: 'goed', delivered: 'goed', 'no data': 'let-op', pending: 'let-op', empty: 'let-op', error: 'slecht', rejected: 'slecht', failed: 'slecht' }[status] || '';
  const text = { data: 'gegevens', 'no data': 'geen gegevens', empty: 'leeg', error: 'fout', pending: 'wachtend', approved: 'goedgekeurd', rejected: 'afgewezen', waiting: 'wacht op verzending', delivered: 'verzonden', failed: 'verzending mislukt' }[status] || status;
  return html`<span class="status ${cls}">${text}</span>`;
}
