// Koppelingen (connections to source systems) and handmatige waarden (values entered by hand).
// The pages show what the admin API offers; on a datastation without these routes they say so.
import { api } from './api.js';
import { html, Page, ErrorBox, when, runFailure, TechnicalDetail } from './ui.js';

// a connection's name as the API takes it (the v-flag pattern needs the - escaped)
const NAME_PATTERN = '[a-z0-9][a-z0-9\\-]{0,62}';

function Unavailable({ error, what }) {
  if (error?.status === 404) return html`<p class="leeg" data-testid="niet-beschikbaar">${what} zijn op deze datastation (nog) niet beschikbaar.</p>`;
  return html`<${ErrorBox} error=${error} />`;
}

export class Connections extends Page {
  constructor(props) {
    super(props);
    Object.assign(this.state, { result: undefined, actionError: undefined, runs: undefined, kind: 'folder' });
  }
  fetch() {
    return api('GET', '/admin/connections');
  }
  async act(name, what) {
    this.setState({ result: undefined, actionError: undefined });
    try {
      const result = await api('POST', `/admin/connections/${encodeURIComponent(name)}/${what}`, {});
      this.setState({ result: { name, what, ...result } });
      await this.load();
    } catch (actionError) {
      this.setState({ actionError });
    }
  }
  async remove(name) {
    try {
      await api('DELETE', `/admin/connections/${encodeURIComponent(name)}`);
      this.setState({ result: { name, what: 'remove', ok: true }, actionError: undefined });
      await this.load();
    } catch (actionError) {
      this.setState({ actionError });
    }
  }
  async add(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const text = (k) => String(f.get(k) || '').trim();
    const source = this.state.kind === 'folder' ? { kind: 'folder', path: text('path') } : { kind: 'http', url: text('url') };
    const body = { name: text('name'), system: text('system'), source, ...(text('schedule') ? { schedule: text('schedule') } : {}) };
    try {
      await api('POST', '/admin/connections', body);
      form.reset();
      this.setState({ result: { name: body.name, what: 'add', ok: true }, actionError: undefined });
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
  outcome(r) {
    if (r.what === 'add') return `${r.name}: toegevoegd.`;
    if (r.what === 'remove') return `${r.name}: verwijderd.`;
    if (r.what === 'test') return `${r.name}: ${r.ok ? `bereikbaar, ${(r.files || []).length} bestand(en)` : 'niet in orde.'}`;
    return `${r.name}: ${r.error ? runFailure(r) : `${r.loaded ?? 0} geladen, ${r.quarantined ?? 0} in quarantaine${r.generation ? `, generatie ${r.generation}` : ''}`}`;
  }
  render() {
    const { data, error, busy, result, actionError, runs, kind } = this.state;
    const list = Array.isArray(data) ? data : [];
    const canDecide = this.props.canDecide;
    return html`<section>
      <h2>Koppelingen</h2>
      <p class="uitleg">Bronsystemen waarvan de exports op een schema of op verzoek worden ingelezen.</p>
      ${busy ? html`<p class="laden">Laden…</p>` : null}
      <${Unavailable} error=${error} what="Koppelingen" />
      ${!busy && !error && !list.length ? html`<p class="leeg" data-testid="geen-koppelingen">Nog geen koppelingen.</p>` : null}
      ${list.length
        ? html`<table class="lijst" data-testid="koppelingen"><thead><tr><th>Naam</th><th>Systeem</th><th>Bron</th><th>Schema</th><th>Laatste run</th><th>Acties</th></tr></thead>
          <tbody>${list.map((c) => html`<tr key=${c.name}>
            <td>${c.name}</td><td>${c.system}</td><td class="did">${c.source?.kind === 'http' ? c.source.url : c.source?.path || ''}</td>
            <td>${c.schedule || ''}${c.nextRun ? html`<br /><small>volgende: ${when(c.nextRun)}</small>` : null}</td>
            <td>${c.lastRun ? html`${when(c.lastRun.startedAt)} <span class="status ${c.lastRun.ok ? 'goed' : 'slecht'}">${c.lastRun.ok ? 'gelukt' : 'mislukt'}</span>` : '–'}</td>
            <td><div class="knoppen"><button type="button" class="link" onClick=${() => void this.showRuns(c.name)}>runs</button>
              ${canDecide ? html`<button type="button" onClick=${() => void this.act(c.name, 'test')}>testen</button><button type="button" onClick=${() => void this.act(c.name, 'run')}>nu inlezen</button><button type="button" class="gevaar" onClick=${() => void this.remove(c.name)}>verwijderen</button>` : null}</div></td>
          </tr>`)}</tbody></table>`
        : null}
      <${ErrorBox} error=${actionError} />
      ${result ? html`<p class=${result.error || result.ok === false ? 'fout' : 'gelukt'} role="status">${this.outcome(result)}</p><${TechnicalDetail} text=${result.error} />` : null}
      ${runs
        ? !(runs.list || []).length
          ? html`<h3>Runs van ${runs.name}</h3><p class="leeg">Nog geen runs.</p>`
          : html`<h3>Runs van ${runs.name}</h3><table class="lijst"><thead><tr><th>Begonnen</th><th>Door</th><th>Generatie</th><th>Bestanden</th><th>Geladen</th><th>Quarantaine</th><th>Fout</th></tr></thead>
          <tbody>${(runs.list || []).map((r) => html`<tr key=${r.id}><td>${when(r.startedAt)}</td><td class="did">${r.actor} (${r.trigger === 'schedule' ? 'schema' : 'handmatig'})</td><td class="did">${r.generation || ''}</td><td class="getal">${r.files ?? ''}</td><td class="getal">${r.loaded ?? ''}</td><td class="getal">${r.quarantined ?? ''}</td><td>${r.error ? html`${runFailure(r)}<${TechnicalDetail} text=${r.error} />` : ''}</td></tr>`)}</tbody></table>`
        : null}
      ${canDecide && !error
        ? html`<form class="zoeken" onSubmit=${(e) => void this.add(e)}>
            <h3>Koppeling toevoegen</h3>
            <label>Naam <input name="name" required pattern=${NAME_PATTERN} /></label>
            <label>Systeem <input name="system" required /></label>
            <label>Soort bron <select value=${kind} onChange=${(e) => this.setState({ kind: e.currentTarget.value })}><option value="folder">map</option><option value="http">HTTP(S)-adres</option></select></label>
            ${kind === 'folder' ? html`<label>Map <input name="path" required /></label>` : html`<label>Adres <input name="url" type="url" required /></label>`}
            <label>Schema (cron) <input name="schedule" placeholder="0 2 * * *" /></label>
            <button type="submit">Toevoegen</button>
          </form>`
        : null}
    </section>`;
  }
}

export class Values extends Page {
  constructor(props) {
    super(props);
    Object.assign(this.state, { actionError: undefined, done: undefined, kind: '' });
  }
  async fetch() {
    const [values, kinds] = await Promise.all([api('GET', '/admin/values'), api('GET', '/admin/values/kinds').catch(() => [])]);
    return { values: Array.isArray(values) ? values : [], kinds: Array.isArray(kinds) ? kinds : [] };
  }
  async add(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const text = (k) => String(f.get(k) || '').trim();
    const body = {
      kind: text('kind'),
      period: { start: text('start'), end: text('end') },
      // a decimal as typed, with a comma allowed (the API takes 1234567.89)
      value: text('value').replace(',', '.'),
      unit: text('unit'),
      reason: text('reason'),
      ...(text('source') ? { source: text('source') } : {}),
    };
    try {
      const change = await api('POST', '/admin/values', body);
      form.reset();
      await this.load();
      this.setState({ done: `De waarde is vastgelegd${change?.generation ? ` (generatie ${change.generation})` : ''}.`, actionError: undefined });
    } catch (actionError) {
      this.setState({ actionError, done: undefined });
    }
  }
  async remove(id) {
    const reason = (this.state[`reason-${id}`] || '').trim();
    try {
      const change = await api('DELETE', `/admin/values/${encodeURIComponent(id)}`, { reason });
      await this.load();
      this.setState({ done: `De waarde is verwijderd${change?.generation ? ` (generatie ${change.generation})` : ''}.`, actionError: undefined });
    } catch (actionError) {
      this.setState({ actionError, done: undefined });
    }
  }
  render() {
    const { data, error, busy, actionError, done } = this.state;
    const list = data?.values || [];
    const kinds = data?.kinds || [];
    const title = (kind) => kinds.find((k) => k.kind === kind)?.title || kind;
    const chosen = kinds.find((k) => k.kind === (this.state.kind || kinds[0]?.kind));
    return html`<section>
      <h2>Handmatige waarden</h2>
      <p class="uitleg">Berekende waarden die geen bronsysteem levert; elke wijziging maakt een nieuwe generatie.</p>
      ${busy ? html`<p class="laden">Laden…</p>` : null}
      <${Unavailable} error=${error} what="Handmatige waarden" />
      ${done ? html`<p class="gelukt" role="status">${done}</p>` : null}
      <${ErrorBox} error=${actionError} />
      ${!busy && !error && !list.length ? html`<p class="leeg">Nog geen handmatige waarden.</p>` : null}
      ${list.length
        ? html`<table class="lijst" data-testid="waarden"><thead><tr><th>Soort</th><th>Periode</th><th>Waarde</th><th>Door</th><th>Reden</th><th></th></tr></thead>
          <tbody>${list.map((v) => html`<tr key=${v.id}><td>${title(v.kind)}</td><td>${v.period?.start} – ${v.period?.end}</td><td class="getal">${String(v.value)} ${v.unit || ''}</td><td class="did">${v.by || ''}<br /><small>${when(v.at)}</small></td><td>${v.reason || ''}</td>
            <td>${this.props.canDecide && !v.removed ? html`<div class="knoppen"><input aria-label="Reden van verwijderen" placeholder="reden" onInput=${(e) => this.setState({ [`reason-${v.id}`]: e.currentTarget.value })} /><button type="button" class="gevaar" onClick=${() => void this.remove(v.id)}>verwijderen</button></div>` : v.removed ? 'verwijderd' : null}</td></tr>`)}</tbody></table>`
        : null}
      ${this.props.canDecide && !error && kinds.length
        ? html`<form class="zoeken" onSubmit=${(e) => void this.add(e)}>
            <h3>Waarde toevoegen</h3>
            <label>Soort <select name="kind" value=${chosen?.kind} onChange=${(e) => this.setState({ kind: e.currentTarget.value })}>${kinds.map((k) => html`<option value=${k.kind}>${k.title}</option>`)}</select></label>
            <label>Van <input name="start" type="date" required /></label>
            <label>Tot en met <input name="end" type="date" required /></label>
            <label>Waarde <input name="value" inputmode="decimal" required /></label>
            <label>Eenheid <select name="unit">${(chosen?.units || []).map((u) => html`<option value=${u}>${u}</option>`)}</select></label>
            <label>Reden <input name="reason" required minlength="3" /></label>
            <label>Bron (optioneel) <input name="source" /></label>
            <button type="submit">Toevoegen</button>
          </form>`
        : null}
    </section>`;
  }
}
