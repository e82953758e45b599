// The release queue: answers waiting for a person, and the ones decided.
import { api, query } from './api.js';
import { html, Page, ErrorBox, StatusBadge, when } from './ui.js';

const STATES = [
  ['pending', 'Wachtend'],
  ['approved', 'Goedgekeurd'],
  ['rejected', 'Afgewezen'],
];

export class Releases extends Page {
  constructor(props) {
    super(props);
    this.state.filter = 'pending';
  }
  fetch() {
    return api('GET', `/admin/releases${query({ state: this.state.filter })}`);
  }
  show(filter) {
    this.setState({ filter }, () => void this.load());
  }
  render() {
    const { data, error, busy, filter } = this.state;
    const items = (data || []).slice().sort((a, b) => String(b.received).localeCompare(String(a.received)));
    return html`<section>
      <h2>Vrijgave</h2>
      <p class="uitleg">Antwoorden die op een besluit wachten voordat ze naar de vrager gaan.</p>
      <div class="tabs" role="tablist">
        ${STATES.map(([id, label]) => html`<button type="button" role="tab" aria-selected=${filter === id} class=${filter === id ? 'actief' : ''} onClick=${() => this.show(id)}>${label}</button>`)}
        <button type="button" class="link" onClick=${() => void this.load()}>Vernieuwen</button>
      </div>
      <${ErrorBox} error=${error} />
      ${busy ? html`<p class="laden">Laden…</p>` : null}
      ${!busy && !error && items.length === 0 ? html`<p class="leeg">Geen vragen in deze lijst.</p>` : null}
      ${items.length
        ? html`<table class="lijst" data-testid="releases">
            <thead><tr><th>Ontvangen</th><th>Vrager</th><th>Vraag</th><th>Rijen</th><th>Kleine aantallen</th><th>Status</th></tr></thead>
            <tbody>
              ${items.map(
                (item) => html`<tr key=${item.id}>
                  <td><a href="#/vrijgave/${encodeURIComponent(item.id)}">${when(item.received)}</a></td>
                  <td class="did" title=${item.requester}>${item.requester}</td>
                  <td>${(item.questions || []).map((q) => html`<div>${q.title || q.id} <small>(${q.profile})</small></div>`)}</td>
                  <td class="getal">${(item.questions || []).reduce((n, q) => n + (q.rows || 0), 0)}</td>
                  <td class="getal">${item.smallCells ? html`<span class="status let-op">${item.smallCells}</span>` : item.smallCells === 0 ? '0' : '–'}</td>
                  <td><${StatusBadge} status=${item.state} />${item.corrected ? html` <span class="status">gecorrigeerd</span>` : null}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : null}
    </section>`;
  }
}
