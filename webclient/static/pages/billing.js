// Billing (docs/api.md, "Billing"): prices on the course page, buying a
// course (order + provider checkout + polling the order after the return),
// "my purchases" with receipts and refund requests, the refund queue of
// teachers and admins, and the teacher's revenue by month.
//
// Money is always an integer in the currency's minor units; it is shown
// with Intl.NumberFormat in the UI language and entered as a decimal in
// the currency's major unit.
import { h, clear, tr } from '../lib/dom.js';
import { topbar, showAPIError } from '../lib/shell.js';
import { api, billingConfig, currentAccount, hasRole, APIError } from '../lib/api.js';
import { lang } from '../i18n.js';

const enc = encodeURIComponent;

export const BILLING_ENABLED = true;

// ---------- money ----------

// EXPONENTS mirrors billing/money.go: currencies whose minor unit is not
// 1/100 of the major unit.
const EXPONENTS = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0,
  PYG: 0, RWF: 0, UGX: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

export function exponent(currency) {
  const e = EXPONENTS[String(currency || '').toUpperCase()];
  return e === undefined ? 2 : e;
}

// decimal writes minor units as a plain decimal string ("49.05"), exactly.
function decimal(amount, currency) {
  const e = exponent(currency);
  const neg = amount < 0;
  let s = String(Math.abs(Math.trunc(amount)));
  if (e > 0) {
    s = s.padStart(e + 1, '0');
    s = `${s.slice(0, -e)}.${s.slice(-e)}`;
  }
  return neg ? `-${s}` : s;
}

// formatMoney formats minor units of an ISO 4217 currency in the UI
// language: formatMoney(4900, 'EUR') is "€49.00" in English, "€49.00" in
// Chinese; (4900, 'JPY') is "¥4,900".
export function formatMoney(amount, currency) {
  if (!currency) return String(amount ?? '');
  const e = exponent(currency);
  try {
    return new Intl.NumberFormat(lang(), {
      style: 'currency', currency, minimumFractionDigits: e, maximumFractionDigits: e,
    }).format(Number(decimal(amount, currency)));
  } catch {
    return `${decimal(amount, currency)} ${currency}`;
  }
}

// parseMoney reads a decimal in the major unit ("49", "49.5", "49,50")
// into minor units, or returns null when it is not a valid amount.
export function parseMoney(text, currency) {
  const s = String(text || '').trim().replace(',', '.');
  const m = /^(\d{1,13})(?:\.(\d*))?$/.exec(s);
  if (!m) return null;
  const e = exponent(currency);
  const frac = m[2] || '';
  if (frac.length > e) return null;
  return Number(m[1]) * 10 ** e + Number(frac.padEnd(e, '0') || '0');
}

function moneyEl(amount, currency, attrs = {}) {
  return h('span', { class: 'money', text: formatMoney(amount, currency), attrs });
}

function when(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

// ---------- API helpers ----------

// loadPrice is GET /courses/{id}/price, or null when billing does not
// answer (a server without billing).
export async function loadPrice(courseId) {
  try {
    return await api('GET', `/api/v1/courses/${enc(courseId)}/price`);
  } catch {
    return null;
  }
}

// uuid4 makes an Idempotency-Key. crypto.randomUUID needs a secure
// context; getRandomValues works everywhere.
function uuid4() {
  if (globalThis.crypto?.randomUUID) {
    try { return crypto.randomUUID(); } catch { /* not a secure context */ }
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

// The order a checkout was opened for, per course, so that the course page
// can follow it after the provider sends the browser back.
const pendingKey = (courseId) => `lectern.checkout.${courseId}`;
function rememberOrder(courseId, orderId) {
  try { sessionStorage.setItem(pendingKey(courseId), orderId); } catch { /* private mode */ }
}
function rememberedOrder(courseId) {
  try { return sessionStorage.getItem(pendingKey(courseId)) || ''; } catch { return ''; }
}
function forgetOrder(courseId) {
  try { sessionStorage.removeItem(pendingKey(courseId)); } catch { /* private mode */ }
}

const PAID = new Set(['paid', 'partially_refunded', 'refunded']);
const CLOSED = new Set(['cancelled', 'expired']);

// billingError shows an API error (billing's codes are in the dictionary
// as api.<code>, see shell.apiErrorKey).
function billingError(el, err) {
  showAPIError(el, err);
}

function statusBadge(status) {
  return h('span', { class: `badge order-${status}`, i18n: `billing.status.${status}`, attrs: { 'data-order-status': status } });
}

// ---------- course page ----------

// priceTag is the course's price as shown on its page.
export function priceTag(price) {
  if (!price || price.free) return null;
  return h('span', { class: 'price-tag', attrs: { id: 'course-price', 'data-amount': price.amount, 'data-currency': price.currency } },
    formatMoney(price.amount, price.currency));
}

// coursePurchase returns the course page's purchase block for an account
// that is not the course's teacher or assistant, or null for a free course
// (or a server without billing). opts.onChange is called after a purchase
// completed without leaving the page (a 100 % coupon).
export function coursePurchase(course, account, price, opts = {}) {
  if (!price || price.free) return null;
  const box = h('div', { class: 'purchase', attrs: { id: 'course-purchase' } }, priceTag(price));
  if (price.owned) {
    box.append(h('span', { class: 'badge badge-ok', i18n: 'billing.owned', attrs: { id: 'course-owned' } }),
      h('a', { class: 'navlink', i18n: 'billing.myPurchases', attrs: { href: '/purchases' } }));
    return box;
  }
  // Without a payment provider the server sells nothing: say so instead
  // of offering Buy (the server refuses orders anyway: payments_disabled).
  billingConfig().then((cfg) => {
    if (!cfg || cfg.payments_enabled) return;
    box.replaceChildren(priceTag(price),
      h('p', { class: 'form-error', i18n: 'billing.paymentsDisabled', attrs: { id: 'payments-disabled' } }));
  });
  if (!account) {
    box.append(h('a', { class: 'btn btn-primary', i18n: 'billing.signInToBuy', attrs: { href: `/signin?next=${enc(location.pathname)}`, id: 'buy-signin' } }));
    return box;
  }
  if (!hasRole(account, 'student')) return box;

  const coupon = h('input', { class: 'coupon-input', placeholder: 'billing.couponPlaceholder', aria: 'billing.coupon',
    attrs: { id: 'buy-coupon', maxlength: 32, autocomplete: 'off', spellcheck: 'false' } });
  const couponToggle = h('button', {
    class: 'btn btn-quiet btn-small', i18n: 'billing.haveCoupon', attrs: { type: 'button', id: 'buy-coupon-toggle' },
    on: { click: () => { couponToggle.hidden = true; coupon.hidden = false; coupon.focus(); } },
  });
  coupon.hidden = true;
  const error = h('p', { class: 'form-error', attrs: { role: 'alert', id: 'buy-error' } });
  const extra = h('div', { class: 'purchase-extra' });
  const choice = h('fieldset', { class: 'pay-choice', attrs: { id: 'pay-choice' } });
  choice.hidden = true;
  payOptions(price.currency).then((opts) => {
    if (opts.length < 2) return; // nothing to choose
    choice.append(h('legend', { i18n: 'billing.payWith' }));
    const pick = preferredOption(opts);
    for (const o of opts) {
      const id = `pay-${o.provider}-${o.method}`;
      choice.append(h('label', { class: 'pay-option', attrs: { for: id } },
        h('input', { attrs: { type: 'radio', name: 'pay', id, value: `${o.provider}/${o.method}`, checked: o === pick } }),
        h('span', { i18n: `billing.pay.${o.provider}.${o.method}` })));
    }
    choice.hidden = false;
  });
  // One attempt = one Idempotency-Key for one request body: a double click
  // or a retry after an error sends the same key (the server answers the
  // same order); changing the coupon starts a new attempt.
  let attempt = null;
  const buy = h('button', {
    class: 'btn btn-primary', i18n: 'billing.buy', attrs: { type: 'button', id: 'buy-button' },
    on: {
      click: async () => {
        if (buy.disabled) return;
        clear(error);
        clear(extra);
        const body = { course_id: course.id };
        const code = coupon.value.trim();
        if (code) body.coupon = code;
        const chosen = choice.querySelector('input[name="pay"]:checked')?.value;
        if (chosen) [body.provider, body.method] = chosen.split('/');
        const json = JSON.stringify(body);
        if (!attempt || attempt.json !== json) attempt = { key: uuid4(), json };
        buy.disabled = true;
        tr(buy, 'billing.buying');
        try {
          const order = await api('POST', '/api/v1/orders', body, { headers: { 'Idempotency-Key': attempt.key } });
          if (PAID.has(order.status)) { // nothing to pay (coupon)
            forgetOrder(course.id);
            opts.onChange?.();
            return;
          }
          if (!order.checkout_url) throw new APIError(502, 'payment_provider_error', '');
          rememberOrder(course.id, order.id);
          // A QR-code checkout, and WeChat's in-app payment sheet, are
          // opened from our own order page.
          location.assign(order.method === 'native' || order.method === 'jsapi' ? `/purchases/${enc(order.id)}` : order.checkout_url);
        } catch (err) {
          if (err instanceof APIError && err.code === 'wechat_auth_required') {
            // Paying inside WeChat needs the buyer's WeChat identity
            // first: WeChat's sign-in page comes back here.
            location.assign(`/api/v1/billing/wechatpay/oauth?next=${enc(location.pathname + location.search)}`);
            return;
          }
          buy.disabled = false;
          tr(buy, 'billing.buy');
          billingError(error, err);
          if (err instanceof APIError && err.code === 'order_pending') {
            const id = UUID_RE.exec(err.message || '')?.[0];
            if (id) extra.append(pendingOrderActions(course, id, () => { clear(error); clear(extra); attempt = null; }));
          }
          if (err instanceof APIError && err.code === 'already_owned') opts.onChange?.();
        }
      },
    },
  });
  box.append(choice, buy, couponToggle, coupon, error, extra);
  return box;
}

// payOptions lists the enabled providers' checkout methods that take
// currency, from GET /api/v1/billing/config (asked once per page load).
let configPromise = null;
async function payOptions(currency) {
  configPromise ||= api('GET', '/api/v1/billing/config').catch(() => null);
  const cfg = await configPromise;
  const out = [];
  for (const p of cfg?.providers || []) {
    if (p.currencies && !p.currencies.includes(currency)) continue;
    for (const m of p.methods) {
      // JSAPI exists only inside WeChat, and WeChat refuses H5 payments
      // inside its own browser.
      if (p.name === 'wechatpay' && (m === 'jsapi' ? !inWeChat() : m === 'h5' && inWeChat())) continue;
      out.push({ provider: p.name, method: m });
    }
  }
  return out;
}

// inWeChat reports whether the page runs in WeChat's own browser, the
// only one with WeixinJSBridge.
function inWeChat() {
  return /MicroMessenger/i.test(navigator.userAgent);
}

// preferredOption picks a phone method (WeChat H5, Alipay wap) on a
// phone, otherwise the first option.
function preferredOption(opts) {
  if (inWeChat()) {
    const js = opts.find((o) => o.method === 'jsapi');
    if (js) return js;
  }
  const phone = matchMedia('(pointer: coarse) and (max-width: 820px)').matches;
  if (phone) return opts.find((o) => o.method === 'h5' || o.method === 'wap') || opts[0];
  return opts.find((o) => o.method !== 'h5' && o.method !== 'wap') || opts[0];
}

// jsapiCheckout opens WeChat's payment sheet for a pending JSAPI order
// (at once, and again with its button); the order tracker beside it says
// when WeChat Pay's notification has paid it. WeixinJSBridge exists only
// inside WeChat: elsewhere the page says to open it there.
function jsapiCheckout(o) {
  const note = h('p', { class: 'muted', attrs: { role: 'status', id: 'jsapi-note' } });
  const pay = h('button', {
    class: 'btn btn-primary', i18n: 'billing.jsapi.pay', attrs: { type: 'button', id: 'jsapi-pay' },
    on: { click: () => bridgePay(o, pay, note) },
  });
  if (inWeChat()) bridgePay(o, pay, note);
  else { pay.disabled = true; tr(note, 'billing.jsapi.notWeChat'); }
  return h('div', { class: 'qr-checkout card', attrs: { id: 'jsapi-checkout' } },
    h('p', { class: 'qr-amount' }, moneyEl(o.amount, o.currency)), pay, note);
}

// bridgePay asks the server for the order's signed request and hands it
// to WeixinJSBridge's getBrandWCPayRequest.
async function bridgePay(o, btn, note) {
  clear(note);
  btn.disabled = true;
  let req;
  try {
    req = await api('GET', `/api/v1/orders/${enc(o.id)}/wechat-jsapi`);
  } catch (err) {
    btn.disabled = false;
    billingError(note, err);
    return;
  }
  if (!await bridgeReady()) {
    btn.disabled = false;
    tr(note, 'billing.jsapi.notWeChat');
    return;
  }
  window.WeixinJSBridge.invoke('getBrandWCPayRequest', req, (res) => {
    btn.disabled = false;
    const msg = res?.err_msg || '';
    if (msg.endsWith(':cancel')) tr(note, 'billing.jsapi.cancelled');
    else if (!msg.endsWith(':ok')) tr(note, 'billing.jsapi.failed');
  });
}

// bridgeReady waits (up to 10 s) for WeChat to inject WeixinJSBridge.
function bridgeReady() {
  if (window.WeixinJSBridge) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 10000);
    document.addEventListener('WeixinJSBridgeReady', () => { clearTimeout(timer); resolve(true); }, { once: true });
  });
}

// qrCheckout shows a pending QR-code order's code (drawn by the server)
// with what to do; the order tracker beside it says when it is paid.
function qrCheckout(o) {
  return h('div', { class: 'qr-checkout card', attrs: { id: 'qr-checkout' } },
    h('p', { class: 'qr-title', i18n: `billing.qr.${o.provider}` }),
    h('img', { class: 'qr-code', attrs: { id: 'qr-code', src: `/api/v1/orders/${enc(o.id)}/qr.svg`, width: 240, height: 240, alt: '' }, aria: 'billing.qr.alt' }),
    h('p', { class: 'qr-amount' }, moneyEl(o.amount, o.currency)),
    h('p', { class: 'muted', i18n: 'billing.qr.hint' }));
}

// pendingOrderActions offers to continue or cancel an unpaid order.
function pendingOrderActions(course, orderId, onCancelled) {
  const row = h('div', { class: 'purchase-pending' });
  api('GET', `/api/v1/orders/${enc(orderId)}`).then((o) => {
    if (o.checkout_url) {
      row.append(h('a', {
        class: 'btn btn-small btn-primary', i18n: 'billing.continueCheckout', attrs: { href: o.checkout_url, id: 'checkout-continue' },
        on: { click: () => rememberOrder(course.id, o.id) },
      }));
    }
    row.append(h('button', {
      class: 'btn btn-small', i18n: 'billing.cancelOrder', attrs: { type: 'button', id: 'order-cancel' },
      on: {
        click: async (e) => {
          e.currentTarget.disabled = true;
          await api('POST', `/api/v1/orders/${enc(o.id)}/cancel`).catch(() => null);
          forgetOrder(course.id);
          row.remove();
          onCancelled();
        },
      },
    }));
  }).catch(() => {});
  return row;
}

// pollOrder calls onUpdate(order) until the order is paid or closed, or
// until maxMs passed; it resolves with the last order (or null).
async function pollOrder(orderId, onUpdate, { maxMs = 30000, signal } = {}) {
  const deadline = Date.now() + maxMs;
  let last = null;
  let delay = 700;
  const cap = maxMs > 30000 ? 1500 : 3000; // a QR code being scanned: stay quick
  for (;;) {
    try {
      last = await api('GET', `/api/v1/orders/${enc(orderId)}`);
      onUpdate(last);
      if (PAID.has(last.status) || CLOSED.has(last.status)) return last;
    } catch (err) {
      if (err instanceof APIError && (err.status === 404 || err.status === 403 || err.status === 401)) return null;
    }
    if (signal?.aborted || Date.now() + delay > deadline) return last;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 1.4, cap);
  }
}

// orderTracker shows an order's state after the checkout and polls it
// until it is paid or closed (about 30 s); onPaid runs once when it is
// paid.
function orderTracker(orderId, { onPaid, onDone, onPending, maxMs } = {}) {
  const box = h('div', { class: 'order-tracker card', attrs: { id: 'order-status', 'data-state': 'checking', role: 'status', 'aria-live': 'polite' } });
  const text = h('p', { class: 'order-tracker-text', i18n: 'billing.track.checking' });
  const actions = h('div', { class: 'order-tracker-actions' });
  box.append(text, actions);
  let paidSeen = false;
  const show = (state, key) => {
    box.dataset.state = state;
    tr(text, key);
  };
  const update = (o) => {
    clear(actions);
    if (PAID.has(o.status)) {
      show('paid', 'billing.track.paid');
      actions.append(h('a', { class: 'navlink', i18n: 'billing.viewReceipt', attrs: { href: `/purchases#order-${o.id}` } }));
      if (!paidSeen) { paidSeen = true; onPaid?.(o); }
    } else if (CLOSED.has(o.status)) {
      show('failed', o.status === 'expired' ? 'billing.track.expired' : 'billing.track.failed');
    } else {
      show('pending', 'billing.track.pending');
      if (onPending?.(o)) return;
      if (o.checkout_url) actions.append(h('a', { class: 'btn btn-small', i18n: 'billing.continueCheckout', attrs: { href: o.checkout_url } }));
    }
  };
  const run = async () => {
    show('checking', 'billing.track.checking');
    const o = await pollOrder(orderId, update, { maxMs });
    if (!o) { show('failed', 'billing.track.unknown'); onDone?.(); return; }
    if (!PAID.has(o.status) && !CLOSED.has(o.status)) {
      show('timeout', 'billing.track.timeout');
      actions.append(h('button', { class: 'btn btn-small', i18n: 'billing.checkAgain', attrs: { type: 'button', id: 'order-recheck' }, on: { click: () => { clear(actions); run(); } } }));
      return;
    }
    onDone?.(o);
  };
  run();
  return box;
}

// resumeCheckout returns a status box for the order this tab sent to the
// checkout for this course (or ?order=), polling it; null when there is
// none. onPaid runs when the order is paid.
export function resumeCheckout(course, { onPaid } = {}) {
  const q = new URLSearchParams(location.search);
  const id = q.get('order') || rememberedOrder(course.id);
  if (!id) return null;
  return orderTracker(id, {
    onPaid: (o) => { forgetOrder(course.id); onPaid?.(o); },
    onDone: (o) => { if (o && CLOSED.has(o.status)) forgetOrder(course.id); },
  });
}

// priceFields are the course form's price inputs (its teacher): amount in
// the major unit (empty or 0: free), currency, refund window.
export function priceFields(price) {
  const paid = price && !price.free;
  const amount = h('input', { attrs: { id: 'course-price-amount', inputmode: 'decimal', autocomplete: 'off', placeholder: '0' } });
  const currency = h('input', { class: 'currency-input', attrs: { id: 'course-price-currency', maxlength: 3, autocomplete: 'off', list: 'currency-list', spellcheck: 'false' } });
  const list = h('datalist', { attrs: { id: 'currency-list' } },
    ...['CNY', 'EUR', 'USD', 'GBP', 'JPY', 'HKD', 'TWD', 'SGD', 'AUD', 'CAD', 'CHF'].map((c) => h('option', { attrs: { value: c } })));
  const windowDays = h('input', { attrs: { id: 'course-refund-days', type: 'number', min: 0, max: 365, step: 1 } });
  const lessonsPct = h('input', { attrs: { id: 'course-refund-percent', type: 'number', min: 0, max: 100, step: 1 } });
  currency.value = paid ? price.currency : (lang() === 'zh-CN' ? 'CNY' : 'EUR');
  amount.value = paid ? decimal(price.amount, price.currency) : '';
  windowDays.value = String(price?.refund_window_days ?? 7);
  lessonsPct.value = String(price?.refund_lessons_percent ?? 30);
  const el = h('fieldset', { class: 'price-fields' },
    h('legend', { i18n: 'billing.priceLegend' }),
    h('div', { class: 'form-row' },
      h('label', { class: 'field grow' }, h('span', { i18n: 'billing.price' }), amount),
      h('label', { class: 'field small' }, h('span', { i18n: 'billing.currency' }), currency, list)),
    h('small', { class: 'field-hint', i18n: 'billing.priceHint' }),
    h('div', { class: 'form-row' },
      h('label', { class: 'field small' }, h('span', { i18n: 'billing.refundDays' }), windowDays),
      h('label', { class: 'field small' }, h('span', { i18n: 'billing.refundPercent' }), lessonsPct)),
    h('small', { class: 'field-hint', i18n: 'billing.refundHint' }));

  // read returns the PUT body, null for "free", or throws {field}.
  function read() {
    const cur = currency.value.trim().toUpperCase();
    const text = amount.value.trim();
    const days = Number(windowDays.value);
    const pct = Number(lessonsPct.value);
    if (!text || /^0*([.,]0*)?$/.test(text)) return { free: true, refund_window_days: days, refund_lessons_percent: pct };
    if (!/^[A-Z]{3}$/.test(cur)) throw Object.assign(new Error('currency'), { field: 'currency' });
    const minor = parseMoney(text, cur);
    if (minor == null) throw Object.assign(new Error('amount'), { field: 'amount' });
    return { amount: minor, currency: cur, refund_window_days: days, refund_lessons_percent: pct };
  }

  // save writes the price of courseId if it changed; resolves with the
  // new price (or the old one).
  async function save(courseId, old) {
    const want = read();
    if (want.free) {
      if (old && !old.free) {
        await api('DELETE', `/api/v1/courses/${enc(courseId)}/price`);
        return loadPrice(courseId);
      }
      return old;
    }
    const same = old && !old.free && old.amount === want.amount && old.currency === want.currency &&
      old.refund_window_days === want.refund_window_days && old.refund_lessons_percent === want.refund_lessons_percent;
    if (same) return old;
    return api('PUT', `/api/v1/courses/${enc(courseId)}/price`, want);
  }
  return { el, read, save };
}

// previewToggle is the teacher's "free preview" switch on a lesson row.
export function previewToggle(lessonId, on, onChange) {
  const box = h('input', { attrs: { type: 'checkbox', 'data-preview-toggle': lessonId } });
  box.checked = on;
  box.addEventListener('change', async () => {
    box.disabled = true;
    try {
      const r = await api('PUT', `/api/v1/lessons/${enc(lessonId)}/free-preview`, { free_preview: box.checked });
      box.checked = !!r.free_preview;
      onChange?.(box.checked);
    } catch {
      box.checked = !box.checked;
    } finally {
      box.disabled = false;
    }
  });
  return h('label', { class: 'check preview-toggle', title: 'billing.previewHint' }, box, h('span', { i18n: 'billing.preview' }));
}

// ---------- receipts ----------

function receiptView(r) {
  const rows = [
    ['billing.receipt.list', formatMoney(r.list_amount, r.currency)],
    r.discount ? ['billing.receipt.discount', `−${formatMoney(r.discount, r.currency)}${r.coupon ? ` (${r.coupon})` : ''}`] : null,
    ['billing.receipt.total', formatMoney(r.amount, r.currency)],
    r.refunded ? ['billing.receipt.refunded', formatMoney(r.refunded, r.currency)] : null,
    r.paid_at ? ['billing.receipt.paidAt', when(r.paid_at)] : null,
    ['billing.receipt.order', r.id],
  ].filter(Boolean);
  const dl = h('dl', { class: 'receipt-summary' });
  for (const [k, v] of rows) dl.append(h('dt', { i18n: k }), h('dd', { text: v }));
  const ledger = h('table', { class: 'table ledger' },
    h('thead', {}, h('tr', {}, h('th', { i18n: 'billing.receipt.when' }), h('th', { i18n: 'billing.receipt.entry' }),
      h('th', { class: 'num', i18n: 'billing.receipt.amount' }), h('th', { i18n: 'billing.receipt.note' }))),
    h('tbody', {}, ...(r.ledger || []).map((e) => h('tr', { attrs: { 'data-kind': e.kind } },
      h('td', { text: when(e.at) }), h('td', { i18n: `billing.ledger.${e.kind}` }),
      h('td', { class: 'num', text: formatMoney(e.amount, e.currency) }), h('td', { class: 'muted', text: e.note || e.ref || '' })))));
  const refunds = (r.refunds || []).length ? h('ul', { class: 'refund-list' }, ...r.refunds.map((f) => h('li', { attrs: { 'data-refund': f.id, 'data-status': f.status } },
    h('span', { class: `badge refund-${f.status}`, i18n: `billing.refund.${f.status}` }),
    h('span', { text: f.amount ? formatMoney(f.amount, f.currency) : (f.requested ? formatMoney(f.requested, f.currency) : '') }),
    h('span', { class: 'muted', text: when(f.created_at) }),
    f.reason ? h('span', { class: 'refund-reason', text: f.reason }) : null,
    f.note ? h('span', { class: 'muted', text: `— ${f.note}` }) : null))) : null;
  return h('div', { class: 'receipt' }, dl, h('h4', { i18n: 'billing.receipt.ledger' }), ledger,
    refunds ? h('h4', { i18n: 'billing.receipt.refunds' }) : null, refunds);
}

function refundForm(order, onDone) {
  const reason = h('textarea', { attrs: { rows: 2, maxlength: 2000, 'data-refund-reason': order.id } });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const form = h('form', { class: 'form refund-form' },
    h('label', { class: 'field' }, h('span', { i18n: 'billing.refundReason' }), reason),
    h('small', { class: 'field-hint', i18n: 'billing.refundAll', vars: { amount: formatMoney(order.amount - order.refunded, order.currency) } }),
    error,
    h('div', { class: 'form-actions' },
      h('button', { class: 'btn btn-quiet', i18n: 'common.cancel', attrs: { type: 'button' }, on: { click: () => form.remove() } }),
      h('button', { class: 'btn btn-primary', i18n: 'billing.refundSend', attrs: { type: 'submit', 'data-refund-send': order.id } })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const btn = form.querySelector('button[type="submit"]');
    btn.disabled = true;
    clear(error);
    try {
      await api('POST', `/api/v1/orders/${enc(order.id)}/refund-requests`, { amount: 0, reason: reason.value.trim() });
      form.remove();
      onDone();
    } catch (err) {
      btn.disabled = false;
      billingError(error, err);
    }
  });
  return form;
}

function orderRow(o) {
  const li = h('li', { class: 'order-row card', attrs: { id: `order-${o.id}`, 'data-order': o.id, 'data-status': o.status } });
  const detail = h('div', { class: 'order-detail' });
  const note = h('p', { class: 'form-ok', attrs: { role: 'status' } });
  let open = false;
  const showReceipt = async () => {
    clear(detail);
    detail.append(h('p', { class: 'muted', i18n: 'common.loading' }));
    try {
      const r = await api('GET', `/api/v1/orders/${enc(o.id)}`);
      clear(detail);
      detail.append(receiptView(r));
    } catch (err) {
      clear(detail);
      const p = h('p', { class: 'form-error' });
      showAPIError(p, err);
      detail.append(p);
    }
  };
  const actions = h('div', { class: 'order-actions' },
    h('button', {
      class: 'btn btn-small', i18n: 'billing.receipt.show', attrs: { type: 'button', 'data-receipt': o.id },
      on: { click: (e) => { open = !open; tr(e.currentTarget, open ? 'billing.receipt.hide' : 'billing.receipt.show'); if (open) showReceipt(); else clear(detail); } },
    }));
  if (o.status === 'paid' || o.status === 'partially_refunded') {
    actions.append(h('button', {
      class: 'btn btn-small', i18n: 'billing.refundRequest', attrs: { type: 'button', 'data-refund-request': o.id },
      on: {
        click: () => {
          if (li.querySelector('.refund-form')) return;
          clear(note);
          li.insertBefore(refundForm(o, () => { tr(note, 'billing.refundRequested'); open = true; showReceipt(); }), detail);
        },
      },
    }));
  }
  if (o.status === 'pending') {
    if (o.checkout_url) {
      actions.append(h('a', { class: 'btn btn-small btn-primary', i18n: 'billing.continueCheckout', attrs: { href: o.checkout_url }, on: { click: () => rememberOrder(o.course_id, o.id) } }));
    }
    actions.append(h('button', {
      class: 'btn btn-small btn-quiet', i18n: 'billing.cancelOrder', attrs: { type: 'button' },
      on: {
        click: async (e) => {
          e.currentTarget.disabled = true;
          try {
            const c = await api('POST', `/api/v1/orders/${enc(o.id)}/cancel`);
            li.replaceWith(orderRow(c));
          } catch (err) {
            e.currentTarget.disabled = false;
            billingError(note, err);
          }
        },
      },
    }));
  }
  li.append(
    h('div', { class: 'order-main' },
      h('a', { class: 'order-title', text: o.course_title || o.course_id, attrs: { href: `/courses/${enc(o.course_id)}` } }),
      h('span', { class: 'muted', text: when(o.paid_at || o.created_at) })),
    h('div', { class: 'order-amount' },
      moneyEl(o.amount, o.currency, { 'data-amount': o.amount }),
      o.refunded ? h('small', { class: 'muted', i18n: 'billing.refundedAmount', vars: { amount: formatMoney(o.refunded, o.currency) } }) : null),
    statusBadge(o.status), actions, note, detail);
  return li;
}

async function requireAccount(main, path) {
  const account = await currentAccount().catch(() => null);
  if (!account) {
    main.append(h('div', { class: 'card empty-card' },
      h('p', { i18n: 'billing.signIn' }),
      h('a', { class: 'btn btn-primary', i18n: 'nav.signIn', attrs: { href: `/signin?next=${enc(path)}` } })));
  }
  return account;
}

// mountPurchases is /purchases: my orders with receipts and refund
// requests.
export async function mountPurchases(root) {
  const main = h('main', { class: 'page' });
  root.append(topbar(), main);
  main.append(h('div', { class: 'page-head' }, h('h1', { i18n: 'billing.purchases' })));
  document.title = 'Lectern';
  if (!await requireAccount(main, '/purchases')) return;
  const list = h('ul', { class: 'orders', attrs: { id: 'purchases' } });
  main.append(list);
  let data;
  try {
    data = await api('GET', '/api/v1/me/orders?limit=100');
  } catch (err) {
    const p = h('p', { class: 'form-error' });
    showAPIError(p, err);
    main.append(p);
    return;
  }
  for (const o of data?.orders || []) list.append(orderRow(o));
  if (!list.childElementCount) list.append(h('li', { class: 'muted', i18n: 'billing.noPurchases' }));
  const target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
  target?.querySelector('[data-receipt]')?.click();
}

// mountOrder is /purchases/{id}: where Stripe returns after the checkout.
// It follows the order until it is paid, then shows its receipt.
export async function mountOrder(root, id) {
  const main = h('main', { class: 'page narrow-wide' });
  root.append(topbar(), main);
  main.append(h('h1', { i18n: 'billing.order' }));
  if (!await requireAccount(main, location.pathname + location.search)) return;
  const receipt = h('div');
  const back = h('p');
  const qr = h('div');
  let qrShown = false;
  main.append(qr, orderTracker(id, {
    maxMs: 15 * 60 * 1000,
    onPending: (o) => {
      if (o.method === 'jsapi' && o.checkout_url) {
        if (!qrShown) { qrShown = true; qr.replaceChildren(jsapiCheckout(o)); }
        return true;
      }
      if (o.method !== 'native' || !o.checkout_url) return false;
      if (!qrShown) { qrShown = true; qr.replaceChildren(qrCheckout(o)); }
      return true;
    },
    onDone: async (o) => {
      if (!o) return;
      clear(qr);
      if (CLOSED.has(o.status) || PAID.has(o.status)) forgetOrder(o.course_id);
      back.replaceChildren(h('a', { class: 'btn btn-primary', i18n: 'billing.backToCourse', attrs: { href: `/courses/${enc(o.course_id)}` } }));
      const r = await api('GET', `/api/v1/orders/${enc(id)}`).catch(() => null);
      if (r) receipt.replaceChildren(h('section', { class: 'card' }, h('h2', { text: r.course_title || '' }), receiptView(r)));
    },
  }), back, receipt);
}

// ---------- refunds to decide (teachers, admins) ----------

function refundDecision(f, order, onDone) {
  const left = order ? order.amount - order.refunded : 0;
  const cur = f.currency;
  const amount = h('input', { class: 'amount-input', aria: 'billing.approveAmount', attrs: { inputmode: 'decimal', 'data-approve-amount': f.id } });
  amount.value = decimal(f.requested || left, cur);
  const note = h('input', { placeholder: 'billing.decisionNote', aria: 'billing.decisionNote', attrs: { maxlength: 2000, 'data-decision-note': f.id } });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const decide = async (btn, path, body) => {
    clear(error);
    btn.disabled = true;
    try {
      await api('POST', path, body);
      onDone();
    } catch (err) {
      btn.disabled = false;
      billingError(error, err);
    }
  };
  return h('div', { class: 'refund-decision' },
    h('label', { class: 'inline-field' }, h('span', { i18n: 'billing.approveAmount' }), amount, h('span', { text: cur })),
    note,
    h('button', {
      class: 'btn btn-small btn-primary', i18n: 'billing.approve', attrs: { type: 'button', 'data-approve': f.id },
      on: {
        click: (e) => {
          const minor = parseMoney(amount.value, cur);
          if (minor == null || minor <= 0 || (left && minor > left)) { tr(error, 'billing.badAmount'); return; }
          decide(e.currentTarget, `/api/v1/refunds/${enc(f.id)}/approve`, { amount: minor, note: note.value.trim() });
        },
      },
    }),
    h('button', {
      class: 'btn btn-small btn-danger', i18n: 'billing.decline', attrs: { type: 'button', 'data-decline': f.id },
      on: { click: (e) => decide(e.currentTarget, `/api/v1/refunds/${enc(f.id)}/decline`, { note: note.value.trim() }) },
    }),
    error);
}

// mountRefunds is /refunds: the refund requests of my courses (an admin:
// all) to approve in full or in part, or decline.
export async function mountRefunds(root) {
  const main = h('main', { class: 'page' });
  root.append(topbar(), main);
  const filter = h('select', { attrs: { id: 'refund-filter' } },
    h('option', { i18n: 'billing.refundsOpen', attrs: { value: 'requested' } }),
    h('option', { i18n: 'billing.refundsAll', attrs: { value: '' } }));
  main.append(h('div', { class: 'page-head' }, h('h1', { i18n: 'billing.refunds' }), filter));
  if (!await requireAccount(main, '/refunds')) return;
  const list = h('ul', { class: 'orders', attrs: { id: 'refunds' } });
  main.append(list);
  const orders = new Map();
  async function load() {
    clear(list);
    let data;
    try {
      data = await api('GET', `/api/v1/refunds?limit=100${filter.value ? `&status=${enc(filter.value)}` : ''}`);
    } catch (err) {
      const p = h('li', { class: 'form-error' });
      showAPIError(p, err);
      list.append(p);
      return;
    }
    const refunds = data?.refunds || [];
    await Promise.all(refunds.filter((f) => !orders.has(f.order_id)).map((f) =>
      api('GET', `/api/v1/orders/${enc(f.order_id)}`).then((o) => orders.set(f.order_id, o)).catch(() => {})));
    for (const f of refunds) {
      const o = orders.get(f.order_id);
      list.append(h('li', { class: 'order-row card', attrs: { 'data-refund': f.id, 'data-status': f.status } },
        h('div', { class: 'order-main' },
          h('a', { class: 'order-title', text: o?.course_title || f.course_id, attrs: { href: `/courses/${enc(f.course_id)}` } }),
          h('span', { class: 'muted', text: when(f.created_at) }),
          o ? h('span', { class: 'muted', i18n: 'billing.paidOf', vars: { amount: formatMoney(o.amount, o.currency), refunded: formatMoney(o.refunded, o.currency) } }) : null),
        h('div', { class: 'order-amount' },
          h('span', { class: 'money', text: f.status === 'requested'
            ? (f.requested ? formatMoney(f.requested, f.currency) : '') : formatMoney(f.amount, f.currency) }),
          f.status === 'requested' && !f.requested ? h('small', { class: 'muted', i18n: 'billing.requestedAll' }) : null),
        h('span', { class: `badge refund-${f.status}`, i18n: `billing.refund.${f.status}` }),
        f.reason ? h('p', { class: 'refund-reason', text: f.reason }) : null,
        f.note ? h('p', { class: 'muted', text: f.note }) : null,
        f.status === 'requested' ? refundDecision(f, o, () => { orders.delete(f.order_id); load(); }) : null));
    }
    if (!list.childElementCount) list.append(h('li', { class: 'muted', i18n: 'billing.noRefunds' }));
  }
  filter.addEventListener('change', load);
  await load();
}

// ---------- revenue (teachers) ----------

function monthValue(d) {
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

// mountRevenue is /revenue (?course=<id> for one course): gross, refunds
// and net per course and month, with the CSV download.
export async function mountRevenue(root, q) {
  const main = h('main', { class: 'page' });
  root.append(topbar(), main);
  const courseId = q?.get?.('course') || '';
  const now = new Date();
  const from = h('input', { attrs: { type: 'month', id: 'revenue-from' } });
  const to = h('input', { attrs: { type: 'month', id: 'revenue-to' } });
  from.value = monthValue(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1)));
  to.value = monthValue(now);
  const csv = h('a', { class: 'btn btn-small', attrs: { id: 'revenue-csv', download: '' } }, h('span', { i18n: 'billing.csv' }));
  main.append(h('div', { class: 'page-head' }, h('h1', { i18n: 'billing.revenue' }), csv));
  if (!await requireAccount(main, location.pathname + location.search)) return;
  const base = courseId ? `/api/v1/courses/${enc(courseId)}/revenue` : '/api/v1/teachers/me/revenue';
  const table = h('div', { attrs: { id: 'revenue' } });
  const totals = h('div', { attrs: { id: 'revenue-totals' } });
  main.append(h('div', { class: 'form-row revenue-filter' },
    h('label', { class: 'field' }, h('span', { i18n: 'billing.from' }), from),
    h('label', { class: 'field' }, h('span', { i18n: 'billing.to' }), to)),
  courseId ? h('p', {}, h('a', { i18n: 'billing.allCourses', attrs: { href: '/revenue' } })) : '',
  table, h('h2', { class: 'section', i18n: 'billing.totals' }), totals);

  const head = (...keys) => h('thead', {}, h('tr', {}, ...keys.map(([k, cls]) => h('th', { class: cls || '', i18n: k }))));
  const num = (v, cur, cls = '') => h('td', { class: `num ${cls}`, text: formatMoney(v, cur) });
  async function load() {
    const qs = new URLSearchParams();
    if (from.value) qs.set('from', from.value);
    if (to.value) qs.set('to', to.value);
    const query = qs.toString() ? `?${qs}` : '';
    csv.setAttribute('href', `${base}.csv${query}`);
    clear(table);
    clear(totals);
    let data;
    try {
      data = await api('GET', `${base}${query}`);
    } catch (err) {
      const p = h('p', { class: 'form-error' });
      showAPIError(p, err);
      table.append(p);
      return;
    }
    const rows = data?.rows || [];
    if (!rows.length) {
      table.append(h('p', { class: 'muted', i18n: 'billing.noRevenue' }));
    } else {
      table.append(h('table', { class: 'table revenue' },
        head(['billing.month'], ['billing.course'], ['billing.payments', 'num'], ['billing.gross', 'num'], ['billing.refundsCol', 'num'], ['billing.net', 'num']),
        h('tbody', {}, ...rows.map((r) => h('tr', { attrs: { 'data-month': r.month, 'data-course': r.course_id } },
          h('td', { text: r.month }),
          h('td', {}, h('a', { text: r.course_title || r.course_id, attrs: { href: `/revenue?course=${enc(r.course_id)}` } })),
          h('td', { class: 'num', text: String(r.payments) }),
          num(r.gross, r.currency), num(r.refunds, r.currency), num(r.net, r.currency, r.net < 0 ? 'neg' : ''))))));
    }
    const tt = data?.totals || [];
    if (tt.length) {
      totals.append(h('table', { class: 'table revenue' },
        head(['billing.month'], ['billing.currency'], ['billing.payments', 'num'], ['billing.gross', 'num'], ['billing.refundsCol', 'num'], ['billing.net', 'num']),
        h('tbody', {}, ...tt.map((r) => h('tr', {},
          h('td', { text: r.month }), h('td', { text: r.currency }), h('td', { class: 'num', text: String(r.payments) }),
          num(r.gross, r.currency), num(r.refunds, r.currency), num(r.net, r.currency, r.net < 0 ? 'neg' : ''))))));
    }
  }
  from.addEventListener('change', load);
  to.addEventListener('change', load);
  await load();
  if (!courseId) main.append(await statementsSection(q?.get?.('teacher') || 'me'));
}

// statementsSection is a teacher's monthly statements (gross, refunds,
// the platform's commission, what is owed), with the CSV; an admin
// (/revenue?teacher=<id>) may mark a finished month paid.
async function statementsSection(teacher) {
  const base = `/api/v1/teachers/${enc(teacher)}/statements`;
  const sec = h('section', { attrs: { id: 'statements' } },
    h('div', { class: 'page-head' }, h('h2', { class: 'section', i18n: 'billing.statements' }),
      h('a', { class: 'btn btn-small', attrs: { id: 'statements-csv', download: '', href: `${base}.csv` } }, h('span', { i18n: 'billing.csv' }))));
  const body = h('div');
  sec.append(body);
  const admin = hasRole(await currentAccount(), 'admin');
  const num = (v, cur) => h('td', { class: 'num', text: formatMoney(v, cur) });
  const load = async () => {
    clear(body);
    let data;
    try {
      data = await api('GET', base);
    } catch (err) {
      const p = h('p', { class: 'form-error' });
      showAPIError(p, err);
      body.append(p);
      return;
    }
    body.append(h('p', { class: 'muted' }, h('span', { i18n: 'billing.statement.rate' }), ` ${(data.commission_bps / 100).toLocaleString(lang())} %`));
    const list = data.statements || [];
    if (!list.length) { body.append(h('p', { class: 'muted', i18n: 'billing.statement.none' })); return; }
    const keys = ['month', 'orders', 'gross', 'refunds', 'commission', 'net', 'status'];
    body.append(h('table', { class: 'table revenue' },
      h('thead', {}, h('tr', {}, ...keys.map((k) => h('th', { class: k === 'month' || k === 'status' ? '' : 'num', i18n: `billing.statement.${k}` })), admin ? h('th') : null)),
      h('tbody', {}, ...list.map((st) => h('tr', { attrs: { 'data-month': st.month, 'data-currency': st.currency } },
        h('td', { text: st.month }), h('td', { class: 'num', text: String(st.orders) }),
        num(st.gross, st.currency), num(st.refunds, st.currency), num(st.commission, st.currency), num(st.net, st.currency),
        h('td', { i18n: `billing.statement.${st.status}` }),
        admin ? h('td', {}, st.status === 'open' ? h('button', {
          class: 'btn btn-small', i18n: 'billing.statement.markPaid', attrs: { type: 'button' },
          on: {
            click: async (e) => {
              e.currentTarget.disabled = true;
              try {
                await api('POST', `${base}/${enc(st.month)}/${enc(st.currency)}/paid`, { reference: '' });
              } catch (err) { showAPIError(body, err); }
              load();
            },
          },
        }) : null) : null)))));
  };
  await load();
  return sec;
}
