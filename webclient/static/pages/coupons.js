// The course's coupons for its teacher (docs/api.md, "Coupons"): create
// one (code, percent or amount off, how many uses, expiry), list them with
// their redemptions, disable one (it expires now, keeping its uses).
import { h, clear } from '../lib/dom.js';
import { showAPIError } from '../lib/shell.js';
import { api } from '../lib/api.js';
import { addStrings, lang } from '../i18n.js';
import { formatMoney } from './billing.js';

addStrings({
  en: {
    'coupons.title': 'Coupons',
    'coupons.none': 'No coupon for this course yet.',
    'coupons.code': 'Code',
    'coupons.kind': 'Discount',
    'coupons.percent': 'Percent off',
    'coupons.amount': 'Amount off',
    'coupons.value': 'Value',
    'coupons.max': 'Uses',
    'coupons.expires': 'Expires on',
    'coupons.create': 'Create coupon',
    'coupons.off': '{value} off',
    'coupons.used': '{n} of {max} used',
    'coupons.until': 'until {date}',
    'coupons.expired': 'Ended {date}',
    'coupons.disable': 'Disable',
  },
  'zh-CN': {
    'coupons.title': '优惠券',
    'coupons.none': '本课程还没有优惠券。',
    'coupons.code': '券码',
    'coupons.kind': '优惠方式',
    'coupons.percent': '按百分比',
    'coupons.amount': '按金额',
    'coupons.value': '数值',
    'coupons.max': '可用次数',
    'coupons.expires': '截止日期',
    'coupons.create': '创建优惠券',
    'coupons.off': '减 {value}',
    'coupons.used': '已用 {n} / {max} 次',
    'coupons.until': '有效期至 {date}',
    'coupons.expired': '已于 {date} 结束',
    'coupons.disable': '停用',
  },
});

// toMinor turns "49.90" in currency into minor units (no floats).
function toMinor(text, currency) {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m || (m[2] || '').length > digits) return NaN;
  return Number(m[1]) * 10 ** digits + Number((m[2] || '').padEnd(digits, '0') || 0);
}

// couponSection is the "Coupons" section of a course page; currency is
// the course's price currency (for amounts off).
export function couponSection(courseId, currency) {
  const list = h('ul', { class: 'admin-list', attrs: { id: 'coupon-list' } });
  const error = h('span', { class: 'form-error', attrs: { role: 'alert', id: 'coupon-error' } });
  const date = () => new Intl.DateTimeFormat(lang(), { dateStyle: 'medium' });
  const load = async () => {
    const data = await api('GET', '/api/v1/coupons');
    clear(list);
    for (const c of (data.coupons || []).filter((c) => c.course_id === courseId)) {
      const ended = new Date(c.expires_at) <= new Date();
      const value = c.percent_off ? `${c.percent_off}%` : formatMoney(c.amount_off, c.currency);
      const row = h('li', { class: 'admin-row', attrs: { 'data-coupon': c.code, 'data-redeemed': c.redeemed, 'data-ended': String(ended) } },
        h('div', { class: 'admin-main' },
          h('strong', { text: c.code }), ' ',
          h('span', { i18n: 'coupons.off', vars: { value } }),
          h('div', { class: 'muted' },
            h('span', { class: 'coupon-used', i18n: 'coupons.used', vars: { n: c.redeemed, max: c.max_redemptions } }), ' · ',
            h('span', { i18n: ended ? 'coupons.expired' : 'coupons.until', vars: { date: date().format(new Date(c.expires_at)) } }))));
      if (!ended) {
        const rowError = h('span', { class: 'form-error', attrs: { role: 'alert' } });
        const off = h('button', {
          class: 'btn btn-small btn-danger', i18n: 'coupons.disable', attrs: { type: 'button', 'data-disable': c.code },
          on: {
            click: async () => {
              off.disabled = true;
              try {
                await api('POST', `/api/v1/coupons/${encodeURIComponent(c.id)}/disable`);
                await load();
              } catch (err) {
                off.disabled = false;
                showAPIError(rowError, err);
              }
            },
          },
        });
        row.append(off, rowError);
      }
      list.append(row);
    }
    if (!list.childElementCount) list.append(h('li', { class: 'muted', i18n: 'coupons.none' }));
  };

  const field = (label, input) => h('label', { class: 'field' }, h('span', { i18n: label }), input);
  const code = h('input', { attrs: { id: 'coupon-code', required: true, maxlength: 32, autocomplete: 'off', spellcheck: 'false' } });
  const kind = h('select', { attrs: { id: 'coupon-kind' } },
    h('option', { i18n: 'coupons.percent', attrs: { value: 'percent' } }),
    currency ? h('option', { i18n: 'coupons.amount', attrs: { value: 'amount' } }) : null);
  const value = h('input', { attrs: { id: 'coupon-value', required: true, inputmode: 'decimal' } });
  const max = h('input', { attrs: { id: 'coupon-max', type: 'number', min: 1, value: '100', required: true } });
  const in30 = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  const expires = h('input', { attrs: { id: 'coupon-expires', type: 'date', value: in30, required: true } });
  const form = h('form', {
    class: 'stack', attrs: { id: 'coupon-form' },
    on: {
      submit: async (e) => {
        e.preventDefault();
        error.textContent = '';
        const body = { code: code.value.trim(), course_id: courseId, max_redemptions: Number(max.value),
          expires_at: new Date(`${expires.value}T23:59:59`).toISOString() };
        if (kind.value === 'amount') {
          body.amount_off = toMinor(value.value, currency);
          body.currency = currency;
        } else {
          body.percent_off = Number(value.value);
        }
        try {
          await api('POST', '/api/v1/coupons', body);
          form.reset();
          expires.value = in30;
          await load();
        } catch (err) {
          showAPIError(error, err);
        }
      },
    },
  },
  field('coupons.code', code), field('coupons.kind', kind), field('coupons.value', value),
  field('coupons.max', max), field('coupons.expires', expires),
  h('button', { class: 'btn', i18n: 'coupons.create', attrs: { type: 'submit', id: 'coupon-create' } }), error);
  load().catch((err) => showAPIError(error, err));
  return h('section', { class: 'section', attrs: { id: 'course-coupons' } }, h('h2', { i18n: 'coupons.title' }), form, list);
}
