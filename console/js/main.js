// The console's shell: who is signed in, the navigation, and a hash router (#/vrijgave/…).
import { render } from '../vendor/preact.js';
import { api, forget, useSession, usingToken } from './api.js';
import { html, Component, ROLE } from './ui.js';
import { SignIn } from './signin.js';
import { Releases } from './releases.js';
import { Release } from './release.js';
import { Imports } from './imports.js';
import { Coverage } from './coverage.js';
import { Audit } from './audit.js';
import { Connections, Values } from './connections.js';

const NAV = [
  ['vrijgave', 'Vrijgave'],
  ['imports', 'Imports'],
  ['dekking', 'Profiel-dekking'],
  ['audit', 'Auditlog'],
  ['koppelingen', 'Koppelingen'],
  ['waarden', 'Handmatige waarden'],
];

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { page: parts[0] || 'vrijgave', id: parts[1] };
}

class App extends Component {
  constructor() {
    super();
    this.state = { session: undefined, checked: false, route: route() };
    this.onHash = () => this.setState({ route: route() });
  }
  async componentDidMount() {
    addEventListener('hashchange', this.onHash);
    addEventListener('kikv:signed-out', () => {
      if (this.state.session) this.setState({ session: undefined, expired: true });
    });
    try {
      const session = await api('GET', '/admin/session');
      useSession(session.csrf);
      this.setState({ session, checked: true });
    } catch {
      this.setState({ checked: true });
    }
  }
  signedIn(session) {
    this.setState({ session, expired: false });
  }
  async signOut() {
    if (!usingToken()) await api('DELETE', '/admin/session').catch(() => undefined);
    forget();
    this.setState({ session: undefined, expired: false });
  }
  page() {
    const { route: r, session } = this.state;
    const props = { session, canDecide: session.role === 'operator', key: `${r.page}/${r.id || ''}` };
    switch (r.page) {
      case 'vrijgave':
        return r.id ? html`<${Release} ...${props} id=${r.id} />` : html`<${Releases} ...${props} />`;
      case 'imports':
        return html`<${Imports} ...${props} />`;
      case 'dekking':
        return html`<${Coverage} ...${props} />`;
      case 'audit':
        return html`<${Audit} ...${props} />`;
      case 'koppelingen':
        return html`<${Connections} ...${props} />`;
      case 'waarden':
        return html`<${Values} ...${props} />`;
      default:
        return html`<p>Deze pagina bestaat niet.</p>`;
    }
  }
  render() {
    const { session, checked, route: r } = this.state;
    if (!checked) return html`<p class="laden">Laden…</p>`;
    if (!session) return html`<${SignIn} expired=${this.state.expired} onSignedIn=${(s) => this.signedIn(s)} />`;
    return html`<header>
        <h1>KIK-V datastation <span>beheer</span></h1>
        <p class="wie" data-testid="wie">
          Aangemeld als <strong>${session.account}</strong> (${ROLE[session.role] || session.role})
          <button type="button" class="link" onClick=${() => this.signOut()}>Afmelden</button>
        </p>
        <nav>
          ${NAV.map(([id, label]) => html`<a href="#/${id}" class=${r.page === id ? 'actief' : ''} aria-current=${r.page === id ? 'page' : undefined}>${label}</a>`)}
        </nav>
      </header>
      <main>${this.page()}</main>`;
  }
}

render(html`<${App} />`, document.getElementById('app'));
