// The REST API (docs/api.md): JSON over fetch with the session cookie, and
// the CSRF token on every state-changing request.

export class APIError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

// csrfToken reads the token the server hands to scripts: the
// `lectern_csrf` cookie, or a <meta name="csrf-token">.
export function csrfToken() {
  const m = /(?:^|;\s*)lectern_csrf=([^;]+)/.exec(document.cookie);
  if (m) return decodeURIComponent(m[1]);
  return document.querySelector('meta[name="csrf-token"]')?.content || sessionStorage.getItem('lectern.csrf') || '';
}

export function rememberCSRF(token) {
  if (token) sessionStorage.setItem('lectern.csrf', token);
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken();
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (data && data.csrfToken) rememberCSRF(data.csrfToken);
  if (!res.ok) {
    const e = data?.error || data || {};
    throw new APIError(res.status, e.code, e.message);
  }
  return data;
}

// joinToken asks the server for a join token for a signed-in user.
export async function joinToken(lessonId) {
  const data = await api('POST', `/api/v1/lessons/${encodeURIComponent(lessonId)}/join`, {});
  return data?.token;
}
