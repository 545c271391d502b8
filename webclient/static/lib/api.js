// The REST API (docs/api.md): JSON over fetch with the session cookie, and
// the CSRF token on every state-changing request.

export class APIError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

// The session's CSRF token comes in the answer to register, sign-in and
// GET /api/v1/session (docs/api.md); it is kept for this tab only.
let csrf = sessionStorage.getItem('lectern.csrf') || '';

export function rememberCSRF(token) {
  if (!token) return;
  csrf = token;
  sessionStorage.setItem('lectern.csrf', token);
}

async function csrfToken() {
  if (!csrf) {
    const res = await fetch('/api/v1/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (res.ok) rememberCSRF((await res.json().catch(() => ({}))).csrf_token);
  }
  return csrf;
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = await csrfToken();
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (data && data.csrf_token) rememberCSRF(data.csrf_token);
  if (!res.ok) {
    const e = data || {}; // {code, message, field}
    throw new APIError(res.status, e.code, e.message);
  }
  return data;
}

// joinToken asks the server for a join token for a signed-in user.
export async function joinToken(lessonId) {
  const data = await api('POST', `/api/v1/lessons/${encodeURIComponent(lessonId)}/join`);
  return data?.token;
}
