// Pieces shared by every page: the brand, the language switch, toasts.
import { h } from './dom.js';
import { LANGUAGES, lang, setLang, onLangChange } from '../i18n.js';

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

// topbar is the header of the non-room pages.
export function topbar(nav = []) {
  return h('header', { class: 'topbar' }, brand(),
    h('nav', { class: 'topnav' }, ...nav),
    h('div', { class: 'topbar-end' }, langSwitch()));
}


