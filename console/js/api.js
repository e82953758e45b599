// The one door to the admin JSON API. A session (cookie + CSRF token) after signing in with an
// account; or the machine credential (admin token) kept in memory only, never in storage.
const auth = { csrf: undefined, token: undefined };

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(code);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

export function useSession(csrf) {
  auth.csrf = csrf;
  auth.token = undefined;
}
export function useToken(token) {
  auth.token = token;
  auth.csrf = undefined;
}
export function forget() {
  auth.csrf = undefined;
  auth.token = undefined;
}
export function usingToken() {
  return auth.token !== undefined;
}

function headers(method, hasBody) {
  const h = { accept: 'application/json' };
  if (auth.token) h.authorization = `Bearer ${auth.token}`;
  if (method !== 'GET' && auth.csrf) h['x-csrf-token'] = auth.csrf;
  if (hasBody) h['content-type'] = 'application/json';
  return h;
}

// Under a deployment the console of tenant <id> is /tenants/<id>/console/ and its API /tenants/<id>/admin/….
const BASE = location.pathname.replace(/\/console(\/.*)?$/, '');

async function send(method, path, body) {
  const response = await fetch(BASE + path, {
    method,
    headers: headers(method, body !== undefined),
    credentials: 'same-origin',
    cache: 'no-store',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return response;
}

/** A GET of a paged list: the items and the offset of the next page (header x-next-offset), if any. */
export async function apiPage(path) {
  let next;
  const items = await api('GET', path, undefined, (response) => {
    next = response.headers.get('x-next-offset') || undefined;
  });
  return { items, next };
}

export async function api(method, path, body, onResponse) {
  const response = await send(method, path, body);
  onResponse?.(response);
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') || '';
  const data = type.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) {
    const code = data && typeof data === 'object' && typeof data.error === 'string' ? data.error : `http_${response.status}`;
    const detail = data && typeof data === 'object' && typeof data.message === 'string' ? data.message : undefined;
    // signed out meanwhile (session expired): back to the sign-in page
    if (response.status === 401 && path !== '/admin/session') dispatchEvent(new Event('kikv:signed-out'));
    throw new ApiError(response.status, code, detail);
  }
  return data;
}

/** A download (the audit export): fetched with the same credentials, handed to the browser as a file. */
export async function download(path, filename) {
  const response = await send('GET', path);
  if (!response.ok) throw new ApiError(response.status, `http_${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
