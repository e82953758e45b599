// Koppelingen (connections to source systems) and handmatige waarden (values entered by hand).
// The pages show what the admin API offers; on a datastation without these routes they say so.
import { api } from './api.js';
import { html, Page, ErrorBox, when } from './ui.js';

function Unavailable({ error, what }) {
  if (error?.status === 404) return html`<p class="leeg" data-testid="niet-beschikbaar">${what} zijn op deze datastation (nog) niet beschikbaar.</p>`;
  return html`<${ErrorBox} error=${error} />`;
}

export class Connections extends Page {
  constructor(props) {
    super(props);
    Object.assign(this.state, { result: undefined, actionError: undefined, runs: undefined });
  }
  fetch() {
    return api('GET', '/admin/connections');
  }
  async act(name, what) {
    this.setState({ result: undefined, actionError: undefined });
    try {
      const result = await api('POST', `/admin/connections/${encodeURIComponent(name)}/${what}`);
      this.setState({ result: { name, what, ...result } });
      await this.load();
    } catch (actionError) {
      this.setState({ actionError });
    }
  }
  async showRuns(name) {
    try {
      this.setState({ runs: { name, list: await api('GET', `/admin/connections/${encodeURIComponent(name)}/runs`) } });
    } catch (actionError) {
      this.setState({ actionError });
    }
  }
  render() {
    const { data, error, busy, result, actionError, runs } = this.state;
    const list = Array.isArray(data) ? data : data?.connections || [];
    return html`<section>
      <h2>Koppelingen</h2>
      ${busy ? html`<p class="laden">Laden…</p>` : null}
      <${Unavailable} error=${error} what="Koppelingen" />
      ${!busy && !error && !list.length ? html`<p class="leeg">Nog geen koppelingen.</p>` : null}
      ${list.length
        ? html`<table class="lijst"><thead><tr><th>Naam</th><th>Systeem</th><th>Bron</th><th>Schema</th><th></th></tr></thead>
          <tbody>${list.map((c) => html`<tr key=${c.name}>
            <td>${c.name}</td><td>${c.system}</td><td class="did">${c.source?.kind === 'http' ? c.source.url : c.source?.path || ''}</td><td>${c.schedule || ''}</td>
            <td class="knoppen"><button type="button" class="link" onClick=${() => void this.showRuns(c.name)}>runs</button>
              ${this.props.canDecide ? html`<button type="button" onClick=${() => void this.act(c.name, 'test')}>testen</button><button type="button" onClick=${() => void this.act(c.name, 'run')}>nu draaien</button>` : null}</td>
          </tr>`)}</tbody></table>`
        : null}
      <${ErrorBox} error=${actionError} />
      ${result ? html`<p class=${result.error ? 'fout' : 'gelukt'} role="status">${result.name}: ${result.error ? result.error : `${result.loaded ?? 0} geladen, ${result.quarantined ?? 0} in quarantaine${result.generation ? `, generatie ${result.generation}` : ''}`}</p>` : null}
      ${runs
        ? html`<h3>Runs van ${runs.name}</h3><table class="lijst"><thead><tr><th>Tijd</th><th>Generatie</th><th>Geladen</th><th>Quarantaine</th><th>Fout</th></tr></thead>
          <tbody>${(runs.list || []).map((r) => html`<tr><td>${when(r.at || r.startedAt || r.time)}</td><td class="did">${r.generation || ''}</td><td class="getal">${r.loaded ?? ''}</td><td class="getal">${r.quarantined ?? ''}</td><td>${r.error || ''}</td></tr>`)}</tbody></table>`
        : null}
    </section>`;
  }
}

export class Values extends Page {
  constructor(props) {
    super(props);
    Object.assign(this.state, { actionError: undefined, done: undefined });
  }
  fetch() {
    return api('GET', '/admin/values');
  }
  async add(event) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const raw = String(f.get('value'));
    const body = {
      kind: String(f.get('kind')),
      period: { start: String(f.get('start')), end: String(f.get('end')) },
      value: raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw,
      unit: String(f.get('unit')),
      reason: String(f.get('reason')),
    };
    try {
      await api('POST', '/admin/values', body);
      event.currentTarget?.reset?.();
      this.setState({ done: 'De waarde is vastgelegd.', actionError: undefined });
      await this.load();
    } catch (actionError) {
      this.setState({ actionError });
    }
  }
  async remove(id) {
    const reason = this.state[`reason-${id}`] || '';
    try {
      await api('DELETE', `/admin/values/${encodeURIComponent(id)}`, { reason });
      this.setState({ done: 'De waarde is verwijderd.', actionError: undefined });
      await this.load();
    } catch (actionError) {
      this.setState({ actionError });
    }
  }
  render() {
    const { data, error, busy, actionError, done } = this.state;
    const list = Array.isArray(data) ? data : data?.values || [];
    return html`<section>
      <h2>Handmatige waarden</h2>
      ${busy ? html`<p class="laden">Laden…</p>` : null}
      <${Unavailable} error=${error} what="Handmatige waarden" />
      ${done ? html`<p class="gelukt" role="status">${done}</p>` : null}
      <${ErrorBox} error=${actionError} />
      ${list.length
        ? html`<table class="lijst"><thead><tr><th>Soort</th><th>Periode</th><th>Waarde</th><th>Door</th><th>Reden</th><th></th></tr></thead>
          <tbody>${list.map((v) => html`<tr key=${v.id}><td>${v.kind}</td><td>${v.period?.start} – ${v.period?.end}</td><td class="getal">${String(v.value)} ${v.unit || ''}</td><td>${v.by || v.actor || ''}</td><td>${v.reason || ''}</td>
            <td>${this.props.canDecide ? html`<input aria-label="Reden van verwijderen" placeholder="reden" onInput=${(e) => this.setState({ [`reason-${v.id}`]: e.currentTarget.value })} /><button type="button" class="gevaar" onClick=${() => void this.remove(v.id)}>verwijderen</button>` : null}</td></tr>`)}</tbody></table>`
        : null}
      ${this.props.canDecide && !(error?.status === 404)
        ? html`<form class="zoeken" onSubmit=${(e) => void this.add(e)}>
            <h3>Waarde toevoegen</h3>
            <label>Soort <input name="kind" required /></label>
            <label>Van <input name="start" type="date" required /></label>
            <label>Tot en met <input name="end" type="date" required /></label>
            <label>Waarde <input name="value" required /></label>
            <label>Eenheid <input name="unit" /></label>
            <label>Reden <input name="reason" required /></label>
            <button type="submit">Toevoegen</button>
          </form>`
        : null}
    </section>`;
  }
}
