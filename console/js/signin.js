// Sign-in: with an account (a session cookie) or with the machine credential (the admin token).
import { api, useSession, useToken, forget } from './api.js';
import { html, Component, ErrorBox } from './ui.js';

export class SignIn extends Component {
  constructor() {
    super();
    this.state = { mode: 'account', busy: false, error: undefined };
  }
  async submit(event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    this.setState({ busy: true, error: undefined });
    try {
      if (this.state.mode === 'account') {
        const session = await api('POST', '/admin/session', { account: String(form.get('account')), password: String(form.get('password')) });
        useSession(session.csrf);
        this.props.onSignedIn(session);
      } else {
        useToken(String(form.get('token')).trim());
        // a cheap read proves the token; the token holder is an operator (admin API contract)
        await api('GET', '/admin/releases?state=pending');
        this.props.onSignedIn({ account: 'beheertoken', role: 'operator' });
      }
    } catch (error) {
      forget();
      this.setState({ error, busy: false });
    }
  }
  render() {
    const { mode, busy, error } = this.state;
    return html`<main class="aanmelden">
      <h1>KIK-V datastation <span>beheer</span></h1>
      <form onSubmit=${(e) => this.submit(e)} aria-label="Aanmelden">
        <h2>Aanmelden</h2>
        ${this.props.expired && !error ? html`<p class="waarschuwing" role="status">Uw sessie is verlopen of beëindigd. Meld u opnieuw aan.</p>` : null}
        ${mode === 'account'
          ? html`<label>Account <input name="account" autocomplete="username" required /></label>
              <label>Wachtwoord <input name="password" type="password" autocomplete="current-password" required /></label>`
          : html`<label>Beheertoken <input name="token" type="password" autocomplete="off" required /></label>`}
        <${ErrorBox} error=${error} />
        <button type="submit" disabled=${busy}>Aanmelden</button>
        <button type="button" class="link" onClick=${() => this.setState({ mode: mode === 'account' ? 'token' : 'account', error: undefined })}>
          ${mode === 'account' ? 'Aanmelden met het beheertoken' : 'Aanmelden met een account'}
        </button>
      </form>
    </main>`;
  }
}
