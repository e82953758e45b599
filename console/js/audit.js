// Auditlog: search by thread, requester and period; verify the hash chain; export as NDJSON.
import { api, download, query } from './api.js';
import { html, Page, ErrorBox, when } from './ui.js';

const KNOWN = new Set(['seq', 'time', 'thread_id', 'actor', 'activity', 'prev', 'hash', 'requester', 'code']);

function period(value, end) {
  // a date from the form is a whole day: from its start, or to its end
  if (!value) return undefined;
  return end ? `${value}T23:59:59.999Z` : `${value}T00:00:00.000Z`;
}

export class Audit extends Page {
  constructor(props) {
    super(props);
    Object.assign(this.state, { filter: { thread: '', requester: '', from: '', to: '' }, more: [], next: undefined, verify: undefined, verifyError: undefined, exportError: undefined });
  }
  params(extra = {}) {
    const f = this.state.filter;
    return { thread: f.thread.trim(), requester: f.requester.trim(), from: period(f.from, false), to: period(f.to, true), ...extra };
  }
  async fetch() {
    const page = await api('GET', `/admin/audit${query(this.params({ limit: 100 }))}`);
    this.setState({ more: [], next: page.next });
    return page;
  }
  async loadMore() {
    try {
      const page = await api('GET', `/admin/audit${query(this.params({ limit: 100, cursor: this.state.next }))}`);
      this.setState({ more: [...this.state.more, ...page.entries], next: page.next });
    } catch (error) {
      this.setState({ error });
    }
  }
  async verify() {
    this.setState({ verify: undefined, verifyError: undefined });
    try {
      this.setState({ verify: await api('GET', '/admin/audit/verify') });
    } catch (verifyError) {
      this.setState({ verifyError });
    }
  }
  async export() {
    try {
      const { thread, from, to } = this.params();
      await download(`/admin/audit/export${query({ thread, from, to })}`, 'auditlog.ndjson');
    } catch (exportError) {
      this.setState({ exportError });
    }
  }
  set(key, value) {
    this.setState({ filter: { ...this.state.filter, [key]: value } });
  }
  render() {
    const { data, error, busy, more, next, filter, verify, verifyError, exportError } = this.state;
    const entries = [...(data?.entries || []), ...more];
    return html`<section>
      <h2>Auditlog</h2>
      <form class="zoeken" onSubmit=${(e) => { e.preventDefault(); void this.load(); }}>
        <label>Gesprek (thread) <input name="thread" value=${filter.thread} onInput=${(e) => this.set('thread', e.currentTarget.value)} /></label>
        <label>Vrager <input name="requester" value=${filter.requester} onInput=${(e) => this.set('requester', e.currentTarget.value)} /></label>
        <label>Van <input name="from" type="date" value=${filter.from} onInput=${(e) => this.set('from', e.currentTarget.value)} /></label>
        <label>Tot en met <input name="to" type="date" value=${filter.to} onInput=${(e) => this.set('to', e.currentTarget.value)} /></label>
        <button type="submit">Zoeken</button>
        <button type="button" onClick=${() => void this.verify()}>Keten controleren</button>
        <button type="button" onClick=${() => void this.export()}>Exporteren</button>
      </form>
      ${verify
        ? html`<p class=${verify.ok ? 'gelukt' : 'fout'} role="status" data-testid="verify">
            ${verify.ok ? `De keten klopt: ${verify.entries} regels, laatste ${verify.head?.seq}.` : `De keten klopt niet bij regel ${verify.problem?.line}: ${verify.problem?.reason}.`}
          </p>`
        : null}
      <${ErrorBox} error=${error || verifyError || exportError} />
      ${busy ? html`<p class="laden">Laden…</p>` : null}
      ${!busy && !error && entries.length === 0 ? html`<p class="leeg">Geen regels gevonden.</p>` : null}
      ${entries.length
        ? html`<table class="lijst" data-testid="audit">
            <thead><tr><th>#</th><th>Tijd</th><th>Gesprek</th><th>Activiteit</th><th>Door</th><th>Vrager</th><th>Code</th><th>Details</th></tr></thead>
            <tbody>${entries.map((e) => html`<tr key=${e.seq}>
              <td class="getal">${e.seq}</td><td>${when(e.time)}</td><td class="did">${e.thread_id || ''}</td><td>${e.activity}</td>
              <td class="did">${e.actor}</td><td class="did">${e.requester || ''}</td><td>${e.code || ''}</td>
              <td class="details">${Object.entries(e).filter(([k]) => !KNOWN.has(k)).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('; ').slice(0, 300)}</td>
            </tr>`)}</tbody>
          </table>`
        : null}
      ${next ? html`<button type="button" onClick=${() => void this.loadMore()}>Meer laden</button>` : null}
    </section>`;
  }
}
