// The REST API (docs/api.md): JSON over fetch with the session cookie, and
// the CSRF token on every state-changing request.

export class APIError extends Error {
  constructor(status, code, message, field) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.field = field;
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

// opts.headers adds request headers (e.g. Idempotency-Key).
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
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
    throw new APIError(res.status, e.code, e.message, e.field);
  }
  return data;
}

// joinToken asks the server for a join token for a signed-in user:
// {token, lesson, role, expires_at}.
export async function joinToken(lessonId) {
  return api('POST', `/api/v1/lessons/${encodeURIComponent(lessonId)}/join`);
}

// putBytes sends a file as the raw body (avatar and cover uploads).
export async function putBytes(path, blob) {
  const res = await fetch(path, {
    method: 'PUT', credentials: 'same-origin', body: blob,
    headers: { Accept: 'application/json', 'Content-Type': blob.type || 'application/octet-stream', 'X-CSRF-Token': await csrfToken() },
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new APIError(res.status, data?.code, data?.message);
  return data;
}

// currentAccount resolves with the signed-in account, or null. The answer
// is shared by every caller on the page.
let sessionPromise = null;
export function currentAccount({ refresh = false } = {}) {
  if (!sessionPromise || refresh) {
    sessionPromise = api('GET', '/api/v1/session')
      .then((d) => d?.account || null)
      .catch((err) => {
        if (err instanceof APIError && err.status === 401) return null;
        throw err;
      });
  }
  return sessionPromise;
}

// billingConfig resolves with GET /api/v1/billing/config ({provider,
// payments_enabled, test_payments}), or null when it cannot be read. One
// request per page.
let billingConfigPromise = null;
export function billingConfig() {
  if (!billingConfigPromise) billingConfigPromise = api('GET', '/api/v1/billing/config').catch(() => null);
  return billingConfigPromise;
}

// forgetSession drops the cached account and CSRF token (after sign-out).
export function forgetSession() {
  sessionPromise = Promise.resolve(null);
  csrf = '';
  sessionStorage.removeItem('lectern.csrf');
}

// hasRole says whether an account has a site role (student, teacher, admin).
export function hasRole(account, role) {
  return !!account?.roles?.includes(role);
}
