// Profiel-dekking: per profile and indicator whether the data answers it, and if not, why.
import { api } from './api.js';
import { html, Page, ErrorBox, StatusBadge, when } from './ui.js';

export class Coverage extends Page {
  constructor(props) {
    super(props);
    Object.assign(this.state, { only: '', running: false, runError: undefined });
  }
  fetch() {
    return api('GET', '/admin/coverage');
  }
  async run() {
    this.setState({ running: true, runError: undefined });
    try {
      // the run answers with the new report itself
      this.setState({ data: await api('POST', '/admin/coverage/run', {}), error: undefined });
      this.setState({ running: false });
    } catch (runError) {
      this.setState({ runError, running: false });
    }
  }
  render() {
    const { data, error, busy, only, running, runError } = this.state;
    const profiles = data?.profiles || [];
    return html`<section>
      <h2>Profiel-dekking</h2>
      <p class="uitleg">Welke indicatoren de gegevens van deze datastation kunnen beantwoorden.${data?.checkedAt ? ` Gecontroleerd op ${when(data.checkedAt)}${data.generation ? `, generatie ${data.generation}` : ''}.` : ''}</p>
      <div class="knoppen">
        <label>Toon <select value=${only} onChange=${(e) => this.setState({ only: e.currentTarget.value })}>
          <option value="">alle</option><option value="data">met gegevens</option><option value="no data">zonder gegevens</option><option value="empty">leeg</option><option value="error">fouten</option>
        </select></label>
        ${this.props.canDecide ? html`<button type="button" disabled=${running} onClick=${() => void this.run()}>${running ? 'Bezig…' : 'Opnieuw controleren'}</button>` : null}
      </div>
      ${error?.code === 'no_coverage' ? html`<p class="leeg" data-testid="nog-niet">Er is nog geen controle gedaan.</p>` : html`<${ErrorBox} error=${error} />`}
      <${ErrorBox} error=${runError} />
      ${busy ? html`<p class="laden">Laden…</p>` : null}
      ${profiles.map((p) => {
        const indicators = (p.indicators || []).filter((i) => !only || i.status === only);
        const counts = (p.indicators || []).reduce((c, i) => ({ ...c, [i.status]: (c[i.status] || 0) + 1 }), {});
        return html`<article class="vraag" key=${p.id}>
          <h3>${p.title || p.id} <small>${p.version || ''}</small></h3>
          <p class="uitleg">${counts.data || 0} met gegevens, ${counts['no data'] || 0} zonder, ${counts.empty || 0} leeg, ${counts.error || 0} fout.</p>
          ${indicators.length
            ? html`<table class="lijst"><thead><tr><th>Indicator</th><th>Titel</th><th>Status</th><th>Reden</th></tr></thead>
              <tbody>${indicators.map((i) => html`<tr key=${i.id}><td>${i.id}</td><td>${i.title}</td><td><${StatusBadge} status=${i.status} />${typeof i.rows === 'number' ? html` <small>${i.rows} rij(en)</small>` : null}</td><td>${i.reason || ''}</td></tr>`)}</tbody></table>`
            : html`<p class="leeg">Geen indicatoren in deze selectie.</p>`}
        </article>`;
      })}
    </section>`;
  }
}
