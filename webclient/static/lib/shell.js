// Pieces shared by every page: the brand, the language switch, toasts.
import { h } from './dom.js';
import { LANGUAGES, lang, setLang, onLangChange } from '../i18n.js';
import { api, billingConfig, currentAccount, forgetSession, hasRole } from './api.js';

export function brand() {
  return h('a', { class: 'brand', attrs: { href: '/' } },
    h('span', { class: 'brand-mark', attrs: { 'aria-hidden': 'true' } }, 'L'),
    h('span', { class: 'brand-name', text: 'Lectern' }));
}

// langSwitch is a <select> of the UI languages; the choice is kept in
// localStorage (see i18n.js).
export function langSwitch() {
  const sel = h('select', {
    class: 'lang-switch', aria: 'lang.label', title: 'lang.label',
    attrs: { id: 'lang-switch' },
    on: { change: () => setLang(sel.value) },
  });
  for (const l of LANGUAGES) sel.append(h('option', { text: l.label, attrs: { value: l.code, lang: l.code } }));
  sel.value = lang();
  onLangChange((code) => { sel.value = code; });
  return sel;
}

// testPaymentsBanner puts "Test payments — no money moves" at the top of
// the page when the server uses the dev payment provider (every page calls
// it through app.js). It cannot be dismissed.
export async function testPaymentsBanner() {
  const cfg = await billingConfig();
  if (!cfg?.test_payments || document.getElementById('test-payments-banner')) return;
  document.body.classList.add('has-test-banner');
  document.body.prepend(h('div', {
    class: 'test-payments-banner', i18n: 'billing.testPaymentsBanner',
    attrs: { id: 'test-payments-banner', role: 'status' },
  }));
}

// Toasts: transient messages at the bottom of the screen.
let toastBox = null;
export function toast(key, { vars, detail, kind = 'error', ms = 8000 } = {}) {
  if (!toastBox) {
    toastBox = h('div', { class: 'toasts', attrs: { role: 'status', 'aria-live': 'assertive' } });
    document.body.append(toastBox);
  }
  const el = h('div', { class: `toast toast-${kind}`, attrs: { 'data-kind': kind } },
    h('strong', { i18n: key, vars }),
    detail ? h('span', { class: 'toast-detail', text: detail }) : null,
    h('button', {
      class: 'toast-close', text: '×', aria: 'common.close', attrs: { type: 'button' },
      on: { click: () => el.remove() },
    }));
  toastBox.append(el);
  if (ms) setTimeout(() => el.remove(), ms);
  return el;
}

// topbar is the header of the non-room pages: the brand, nav links, the
// language switch and the account (sign in / up, or profile and sign out,
// filled in once the session is known).
export function topbar(nav = []) {
  const account = h('div', { class: 'topbar-account', attrs: { id: 'account-nav' } });
  const links = h('nav', { class: 'topnav' },
    h('a', { class: 'navlink', i18n: 'nav.courses', attrs: { href: '/courses' } }), ...nav);
  currentAccount().then((acc) => { fillAccount(account, acc); fillNav(links, acc); }).catch(() => fillAccount(account, null));
  return h('header', { class: 'topbar' }, brand(), links,
    h('div', { class: 'topbar-end' }, langSwitch(), account));
}

// fillNav adds the signed-in links: purchases; refunds and revenue for
// teachers and admins.
function fillNav(nav, acc) {
  if (!acc) return;
  nav.append(h('a', { class: 'navlink', i18n: 'nav.purchases', attrs: { href: '/purchases', id: 'nav-purchases' } }));
  if (hasRole(acc, 'teacher') || hasRole(acc, 'admin')) {
    nav.append(
      h('a', { class: 'navlink', i18n: 'nav.refunds', attrs: { href: '/refunds', id: 'nav-refunds' } }),
      h('a', { class: 'navlink', i18n: 'nav.revenue', attrs: { href: '/revenue', id: 'nav-revenue' } }));
  }
  if (hasRole(acc, 'admin') || hasRole(acc, 'reviewer')) {
    nav.append(h('a', { class: 'navlink', i18n: 'nav.admin', attrs: { href: '/admin', id: 'nav-admin' } }));
  }
}

function fillAccount(box, acc) {
  box.replaceChildren();
  box.dataset.signedIn = String(!!acc);
  if (!acc) {
    const next = encodeURIComponent(location.pathname + location.search);
    box.append(
      h('a', { class: 'navlink', i18n: 'nav.signIn', attrs: { href: `/signin?next=${next}`, id: 'nav-signin' } }),
      h('a', { class: 'btn btn-small btn-primary', i18n: 'nav.signUp', attrs: { href: `/signup?next=${next}`, id: 'nav-signup' } }));
    return;
  }
  box.append(
    h('a', { class: 'navlink nav-me', attrs: { href: '/account', id: 'nav-account' } },
      acc.avatar_url ? h('img', { class: 'nav-avatar', attrs: { src: acc.avatar_url, alt: '' } }) : null,
      h('span', { text: acc.display_name || acc.email })),
    h('button', {
      class: 'btn btn-small btn-quiet', i18n: 'nav.signOut', attrs: { type: 'button', id: 'nav-signout' },
      on: { click: () => signOut() },
    }));
}

// signOut ends the session and goes to the home page.
export async function signOut() {
  try {
    await api('DELETE', '/api/v1/session');
  } catch { /* already signed out */ }
  forgetSession();
  location.assign('/');
}

// safeNext returns a same-origin path from a ?next= value, else fallback.
export function safeNext(q, fallback = '/courses') {
  const next = q?.get?.('next') || '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : fallback;
}

// apiErrorKey maps an API error (docs/api.md codes) to a dictionary key.
export function apiErrorKey(err) {
  const code = err?.code || (err?.status ? '' : 'network');
  const known = ['bad_credentials', 'email_taken', 'weak_password', 'rate_limited', 'invalid_input', 'wrong_password',
    'image_too_large', 'unsupported_image', 'invalid_token', 'token_used', 'forbidden', 'not_a_member',
    'already_enrolled', 'payment_required', 'unauthenticated', 'not_found', 'lesson_ended', 'invalid_status_change',
    'csrf', 'network', 'already_owned', 'order_pending', 'course_free', 'coupon_invalid', 'coupon_exhausted',
    'invalid_order_state', 'refund_not_allowed', 'refund_open', 'payment_provider_error', 'idempotency_key_reused',
    'already_ended', 'account_disabled', 'banned', 'payments_disabled',
    'course_state', 'own_course', 'last_admin', 'already_applied', 'own_account', 'conflict'];
  return known.includes(code) ? `api.${code}` : 'api.failed';
}

// showAPIError puts an API error into a form's error line.
export function showAPIError(el, err) {
  el.replaceChildren(h('span', { i18n: apiErrorKey(err) }));
  if (err?.code === 'invalid_input' && err.message) el.append(h('span', { class: 'form-error-detail', text: ` (${err.message})` }));
}


