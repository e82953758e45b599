// One waiting answer: who asks what, the answer as a table (small-number cells marked, bars for
// numeric columns), and the decisions: goedkeuren, corrigeren (cells edited in place), afwijzen.
import { api } from './api.js';
import { html, Page, ErrorBox, StatusBadge, BarChart, cellText, numericColumns, when } from './ui.js';

/** The answer of one question: the contract's `answer` (corrected if corrected), else the preview. */
export function answerOf(item, q) {
  if (q.answer) {
    const rows = q.answer.rows || q.answer.results?.bindings || [];
    return { vars: q.answer.head?.vars || [], rows, truncated: Boolean(q.answer.truncated || q.truncated), total: q.rows };
  }
  const p = item.preview?.[q.id];
  if (p?.results) return { vars: p.head?.vars || [], rows: p.results.bindings || [], truncated: (p.total || 0) > (p.results.bindings || []).length, total: p.total };
  if (p && typeof p.boolean === 'boolean') return { vars: ['antwoord'], rows: [{ antwoord: { type: 'literal', value: String(p.boolean) } }], truncated: false, total: 1 };
  return { vars: [], rows: [], truncated: false, total: 0 };
}

function originalOf(q) {
  if (!q.original) return undefined;
  return { vars: q.original.head?.vars || [], rows: q.original.rows || q.original.results?.bindings || [] };
}

/** Small-number cells of one question, as a set of "row/column". */
function smallOf(item, q, count) {
  const list = Array.isArray(q.smallCells) ? q.smallCells : Array.isArray(item.smallCells) ? item.smallCells.filter((c) => c.question === undefined ? count === 1 : c.question === q.id) : [];
  return new Set(list.map((c) => `${c.row}/${c.column}`));
}

function AnswerTable({ q, answer, small, original, editing, edits, onEdit }) {
  const { vars, rows } = answer;
  const numeric = new Set(numericColumns(vars, rows));
  if (!vars.length) return html`<p class="leeg">Geen antwoord om te tonen.</p>`;
  return html`<div class="tabel-kader"><table class="antwoord" data-question=${q.id}>
    <thead><tr><th class="rij">#</th>${vars.map((v) => html`<th>${v}</th>`)}</tr></thead>
    <tbody>
      ${rows.map(
        (row, i) => html`<tr key=${i}>
          <td class="rij">${i + 1}</td>
          ${vars.map((v) => {
            const isSmall = small.has(`${i}/${v}`);
            const was = original ? cellText(original.rows[i]?.[v]) : undefined;
            const changed = was !== undefined && was !== cellText(row[v]);
            const cls = [numeric.has(v) ? 'getal' : '', isSmall ? 'klein' : '', changed ? 'gewijzigd' : ''].join(' ').trim();
            const title = [isSmall ? 'Klein aantal: telt minder personen dan de minimale groepsgrootte' : '', changed ? `Gecorrigeerd; was: ${was}` : ''].filter(Boolean).join('. ');
            if (editing) {
              const value = edits[`${i}/${v}`] ?? cellText(row[v]);
              return html`<td class=${cls} title=${title || undefined}>
                <input class="cel" aria-label=${`Rij ${i + 1}, ${v}`} data-row=${i} data-column=${v} value=${value} onInput=${(e) => onEdit(i, v, e.currentTarget.value)} />
              </td>`;
            }
            return html`<td class=${cls} title=${title || undefined} data-row=${i} data-column=${v}>${cellText(row[v])}</td>`;
          })}
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}

export class Release extends Page {
  constructor(props) {
    super(props);
    Object.assign(this.state, { action: undefined, edits: {}, reason: '', note: '', done: undefined, actionError: undefined, sending: false });
  }
  fetch() {
    return api('GET', `/admin/releases/${encodeURIComponent(this.props.id)}`);
  }
  begin(action) {
    this.setState({ action, edits: {}, reason: '', actionError: undefined, done: undefined });
  }
  async act(path, body, done) {
    this.setState({ sending: true, actionError: undefined });
    try {
      await api('POST', `/admin/releases/${encodeURIComponent(this.props.id)}/${path}`, body);
      this.setState({ action: undefined, edits: {}, reason: '', note: '', done, sending: false });
      await this.load();
    } catch (actionError) {
      this.setState({ actionError, sending: false });
    }
  }
  correct(item) {
    const changes = [];
    for (const q of item.questions) {
      const answer = answerOf(item, q);
      for (const [key, value] of Object.entries(this.state.edits[q.id] || {})) {
        const [row, ...rest] = key.split('/');
        const column = rest.join('/');
        // an emptied cell is unbound in what is sent (null), not an empty literal
        if (value !== cellText(answer.rows[Number(row)]?.[column])) changes.push({ question: q.id, row: Number(row), column, value: value.trim() === '' ? null : value.trim() });
      }
    }
    if (!changes.length) return this.setState({ actionError: { code: 'no_changes' } });
    return this.act('correct', { reason: this.state.reason.trim(), changes }, 'De correctie is opgeslagen. Keur het antwoord goed om het te versturen.');
  }
  edit(question, row, column, value) {
    const edits = { ...this.state.edits, [question]: { ...(this.state.edits[question] || {}), [`${row}/${column}`]: value } };
    this.setState({ edits });
  }
  decisionPanel(item) {
    const { action, reason, note, sending, actionError } = this.state;
    if (!this.props.canDecide) return html`<p class="uitleg" data-testid="alleen-lezen">U kijkt mee: besluiten nemen kan alleen een beheerder.</p>`;
    if (item.state !== 'pending') return null;
    const needReason = reason.trim().length === 0;
    const errorBox = actionError?.code === 'no_changes' ? html`<p class="fout" role="alert">Er is geen cel gewijzigd.</p>` : html`<${ErrorBox} error=${actionError} />`;
    if (action === 'correct')
      return html`<div class="besluit">
        <p>Pas de cellen in de tabel aan (een lege cel wordt weggelaten) en geef een reden. De vrager krijgt het gecorrigeerde antwoord zodra het is goedgekeurd.</p>
        <label>Reden van de correctie <textarea name="reden" required value=${reason} onInput=${(e) => this.setState({ reason: e.currentTarget.value })}></textarea></label>
        ${errorBox}
        <button type="button" disabled=${sending || needReason} onClick=${() => void this.correct(item)}>Correctie opslaan</button>
        <button type="button" class="link" onClick=${() => this.begin(undefined)}>Annuleren</button>
      </div>`;
    if (action === 'reject')
      return html`<div class="besluit">
        <label>Reden van de afwijzing (de vrager krijgt deze te zien) <textarea name="reden" required value=${reason} onInput=${(e) => this.setState({ reason: e.currentTarget.value })}></textarea></label>
        ${errorBox}
        <button type="button" class="gevaar" disabled=${sending || needReason} onClick=${() => void this.act('reject', { reason: reason.trim() }, 'De vraag is afgewezen; de vrager krijgt de reden.')}>Afwijzing bevestigen</button>
        <button type="button" class="link" onClick=${() => this.begin(undefined)}>Annuleren</button>
      </div>`;
    return html`<div class="besluit">
      <label>Toelichting (nodig bij kleine aantallen) <input name="toelichting" value=${note} onInput=${(e) => this.setState({ note: e.currentTarget.value })} /></label>
      ${errorBox}
      <div class="knoppen">
        <button type="button" disabled=${sending} onClick=${() => void this.act('approve', note.trim() ? { reason: note.trim() } : {}, 'Goedgekeurd: het antwoord gaat naar de vrager.')}>Goedkeuren</button>
        <button type="button" onClick=${() => this.begin('correct')}>Corrigeren</button>
        <button type="button" class="gevaar" onClick=${() => this.begin('reject')}>Afwijzen</button>
      </div>
    </div>`;
  }
  render() {
    const { data: item, error, busy, action, done } = this.state;
    if (busy && !item) return html`<p class="laden">Laden…</p>`;
    if (error) return html`<section><p><a href="#/vrijgave">← Vrijgave</a></p><${ErrorBox} error=${error} /></section>`;
    const count = item.questions.length;
    return html`<section>
      <p><a href="#/vrijgave">← Vrijgave</a></p>
      <h2>Vraag van ${when(item.received)} <${StatusBadge} status=${item.state} /> ${item.delivery ? html`<${StatusBadge} status=${item.delivery} />` : null}</h2>
      <dl class="gegevens">
        <dt>Vrager</dt><dd class="did" data-testid="vrager">${item.requester}</dd>
        <dt>Gesprek (thread)</dt><dd class="did">${item.thread_id}</dd>
        <dt>Antwoord naar</dt><dd class="did">${item.reply_url}</dd>
        ${item.decidedBy ? html`<dt>Besloten door</dt><dd>${item.decidedBy}${item.decidedByClaim ? ` (noemt zich ${item.decidedByClaim})` : ''} op ${when(item.decidedAt)}</dd>` : null}
        ${item.reason ? html`<dt>Reden</dt><dd>${item.reason}</dd>` : null}
        ${(item.corrections || []).map((c) => html`<dt>Correctie</dt><dd>${c.by} op ${when(c.at)}: ${c.reason} <small>(${(c.changes || []).length} cel(len))</small></dd>`)}
      </dl>
      ${done ? html`<p class="gelukt" role="status">${done}</p>` : null}
      ${item.questions.map((q) => {
        const answer = answerOf(item, q);
        const small = smallOf(item, q, count);
        const original = originalOf(q);
        const numeric = numericColumns(answer.vars, answer.rows).slice(0, 3);
        return html`<article class="vraag" key=${q.id}>
          <h3>${q.title || q.id}</h3>
          <dl class="gegevens">
            <dt>Profiel</dt><dd>${q.profile} ${q.version ? html`<small>versie ${q.version}</small>` : null}</dd>
            <dt>Indicator</dt><dd>${q.id}</dd>
            <dt>Parameters</dt><dd>${Object.keys(q.parameters || {}).length ? html`<table class="klein-tabel">${Object.entries(q.parameters).map(([k, v]) => html`<tr><th>${k}</th><td>${String(v)}</td></tr>`)}</table>` : 'geen'}</dd>
            <dt>Rijen</dt><dd>${q.rows}${answer.truncated ? ` (eerste ${answer.rows.length} getoond)` : ''}</dd>
          </dl>
          ${small.size ? html`<p class="waarschuwing">${small.size} cel(len) met een klein aantal (gemarkeerd).</p>` : null}
          ${q.corrected || original ? html`<p class="uitleg">Dit antwoord is gecorrigeerd; gewijzigde cellen zijn gemarkeerd.</p>` : null}
          <${AnswerTable} q=${q} answer=${answer} small=${small} original=${original} editing=${action === 'correct'}
            edits=${Object.fromEntries(Object.entries(this.state.edits[q.id] || {}))} onEdit=${(row, column, value) => this.edit(q.id, row, column, value)} />
          ${numeric.map((column) => html`<${BarChart} vars=${answer.vars} rows=${answer.rows} column=${column} />`)}
          ${original ? html`<details><summary>Oorspronkelijk antwoord</summary><${AnswerTable} q=${q} answer=${original} small=${new Set()} editing=${false} edits=${{}} /></details>` : null}
        </article>`;
      })}
      ${this.decisionPanel(item)}
    </section>`;
  }
}
