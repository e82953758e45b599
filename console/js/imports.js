// Imports: generations newest first, history per source, quarantined rows and SHACL findings of a
// generation, and "terugzetten" (make an earlier generation current again, with a reason).
import { api, apiPage, query } from './api.js';
import { html, Page, ErrorBox, when } from './ui.js';

export class Imports extends Page {
  constructor(props) {
    super(props);
    Object.assign(this.state, { open: undefined, detail: undefined, detailError: undefined, rollback: undefined, reason: '', done: undefined, actionError: undefined });
  }
  fetch() {
    return api('GET', '/admin/imports');
  }
  async show(generation, kind, offset) {
    if (offset === undefined) this.setState({ open: { generation, kind }, detail: undefined, detailError: undefined, detailNext: undefined });
    try {
      // a page at a time (the API's default of 500 rows); "meer" fetches the next
      const page = await apiPage(`/admin/imports/${encodeURIComponent(generation)}/${kind}${query({ offset })}`);
      this.setState({ detail: [...(offset === undefined ? [] : this.state.detail || []), ...page.items], detailNext: page.next });
    } catch (detailError) {
      // an import that kept no report (older, or nothing to report): nothing to show
      if (detailError.code === 'unknown_generation') this.setState({ detail: [] });
      else this.setState({ detailError });
    }
  }
  async activate(generation) {
    try {
      await api('POST', `/admin/generations/${encodeURIComponent(generation)}/activate`, { reason: this.state.reason.trim() });
      this.setState({ rollback: undefined, reason: '', actionError: undefined });
      // the message only once the table shows it: "now in use" beside a stale table misleads
      await this.load();
      this.setState({ done: `Generatie ${generation} is nu in gebruik.` });
    } catch (actionError) {
      this.setState({ actionError });
    }
  }
  bySource(generations) {
    const sources = new Map();
    for (const g of generations) for (const s of g.sources || []) {
      if (!sources.has(s.name)) sources.set(s.name, []);
      sources.get(s.name).push({ ...s, generation: g.generation, createdAt: g.createdAt, current: g.current });
    }
    return [...sources.entries()];
  }
  detailView() {
    const { open, detail, detailError } = this.state;
    if (!open) return null;
    const title = open.kind === 'quarantine' ? 'Quarantaine' : 'SHACL-bevindingen';
    return html`<div class="paneel" data-testid="detail">
      <h3>${title} van generatie ${open.generation} <button type="button" class="link" onClick=${() => this.setState({ open: undefined })}>sluiten</button></h3>
      <${ErrorBox} error=${detailError} />
      ${!detail && !detailError ? html`<p class="laden">Laden…</p>` : null}
      ${detail && detail.length === 0 ? html`<p class="leeg">${open.kind === 'quarantine' ? 'Geen rijen in quarantaine.' : 'Geen bevindingen.'}</p>` : null}
      ${detail && detail.length && open.kind === 'quarantine'
        ? html`<table class="lijst"><thead><tr><th>Bron</th><th>Bestand</th><th>Rij</th><th>Kolom</th><th>Reden</th></tr></thead>
            <tbody>${detail.map((q) => html`<tr><td>${q.source}${q.entity ? html`<br /><small>${q.entity}</small>` : null}</td><td>${q.file}</td><td class="getal">${q.row}</td><td>${q.column || ''}</td><td>${q.reason}</td></tr>`)}</tbody></table>`
        : null}
      ${detail && detail.length && open.kind === 'findings'
        ? html`<table class="lijst"><thead><tr><th>Ernst</th><th>Onderwerp</th><th>Eigenschap</th><th>Bevinding</th><th>Bestand, rij</th></tr></thead>
            <tbody>${detail.map((f) => html`<tr><td>${f.severity || ''}</td><td class="did">${f.focus}</td><td class="did">${f.path}</td><td>${f.message}</td><td>${f.file || ''}${f.row !== undefined ? `, rij ${f.row}` : ''}</td></tr>`)}</tbody></table>`
        : null}
      ${this.state.detailNext ? html`<button type="button" onClick=${() => void this.show(open.generation, open.kind, this.state.detailNext)}>Meer laden</button>` : null}
    </div>`;
  }
  render() {
    const { data, error, busy, rollback, reason, done, actionError } = this.state;
    const generations = data || [];
    return html`<section>
      <h2>Imports</h2>
      <${ErrorBox} error=${error} />
      ${busy ? html`<p class="laden">Laden…</p>` : null}
      ${done ? html`<p class="gelukt" role="status">${done}</p>` : null}
      ${!busy && !error && !generations.length ? html`<p class="leeg">Nog geen imports.</p>` : null}
      ${generations.length
        ? html`<h3>Generaties</h3>
          <table class="lijst" data-testid="generaties">
            <thead><tr><th>Generatie</th><th>Gemaakt</th><th>Bronnen</th><th>Geladen</th><th>Quarantaine</th><th>Bekijken en terugzetten</th></tr></thead>
            <tbody>${generations.map((g) => {
              const sum = (k) => (g.sources || []).reduce((n, s) => n + (s[k] || 0), 0);
              return html`<tr key=${g.generation} class=${g.current ? 'huidig' : ''}>
                <td class="did">${g.generation} ${g.current ? html`<span class="status goed">in gebruik</span>` : null}
                  ${g.current && g.served === false ? html` <span class="status let-op">nog niet geladen</span>` : null}
                  ${g.problem ? html`<br /><span class="status slecht">${g.problem}</span>` : null}</td>
                <td>${when(g.createdAt)}</td>
                <td>${(g.sources || []).map((s) => s.name).join(', ')}</td>
                <td class="getal">${sum('loaded')}</td>
                <td class="getal">${sum('quarantined')}</td>
                <td><div class="knoppen">
                  <button type="button" class="link" onClick=${() => void this.show(g.generation, 'quarantine')}>quarantaine</button>
                  <button type="button" class="link" onClick=${() => void this.show(g.generation, 'findings')}>bevindingen</button>
                  ${this.props.canDecide && !g.current ? html`<button type="button" onClick=${() => this.setState({ rollback: g.generation, reason: '', actionError: undefined })}>terugzetten</button>` : null}
                </div></td>
              </tr>`;
            })}</tbody>
          </table>`
        : null}
      ${rollback
        ? html`<div class="besluit">
            <p>Generatie <strong>${rollback}</strong> weer in gebruik nemen. Vragen worden daarna met deze gegevens beantwoord.</p>
            <label>Reden <textarea name="reden" value=${reason} onInput=${(e) => this.setState({ reason: e.currentTarget.value })}></textarea></label>
            <${ErrorBox} error=${actionError} />
            <button type="button" disabled=${!reason.trim()} onClick=${() => void this.activate(rollback)}>Terugzetten bevestigen</button>
            <button type="button" class="link" onClick=${() => this.setState({ rollback: undefined })}>Annuleren</button>
          </div>`
        : null}
      ${this.detailView()}
      ${generations.length
        ? html`<h3>Geschiedenis per bron</h3>
          ${this.bySource(generations).map(([name, rows]) => html`<details open key=${name}><summary>${name} <small>(${rows[0].system || ''})</small></summary>
            <table class="lijst"><thead><tr><th>Gemaakt</th><th>Generatie</th><th>Bestanden</th><th>Geladen</th><th>Quarantaine</th></tr></thead>
            <tbody>${rows.map((r) => html`<tr><td>${when(r.createdAt)}</td><td class="did">${r.generation}${r.current ? ' (in gebruik)' : ''}</td><td class="getal">${Array.isArray(r.files) ? r.files.length : r.files}</td><td class="getal">${r.loaded}</td><td class="getal">${r.quarantined}</td></tr>`)}</tbody></table>
          </details>`)}`
        : null}
    </section>`;
  }
}
