// Small DOM helpers. Text is always set with textContent: nothing in the
// client ever parses a string as HTML.
import { t } from '../i18n.js';

// h(tag, props, ...children) builds an element.
//   props.class   class name(s)
//   props.text    literal text (user content: names, chat, …)
//   props.i18n    a dictionary key; the text follows the UI language
//   props.vars    values for {placeholders} in that key
//   props.title / props.placeholder / props.aria: dictionary keys for
//                 those attributes
//   props.attrs   other attributes, set with setAttribute
//   props.on      event listeners: {click: fn}
// Children are nodes or strings (strings become text nodes); null and false
// are skipped.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text != null) el.textContent = String(props.text);
  if (props.i18n) tr(el, props.i18n, props.vars);
  if (props.title) setI18nAttr(el, 'title', props.title);
  if (props.placeholder) setI18nAttr(el, 'placeholder', props.placeholder);
  if (props.aria) setI18nAttr(el, 'aria-label', props.aria);
  for (const [k, v] of Object.entries(props.attrs || {})) {
    if (v === false || v == null) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const [ev, fn] of Object.entries(props.on || {})) el.addEventListener(ev, fn);
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// tr sets el's text from a dictionary key and remembers the key, so that a
// language switch can re-translate it (see i18n.translate).
export function tr(el, key, vars) {
  el.dataset.i18n = key;
  if (vars) el.dataset.i18nVars = JSON.stringify(vars);
  else delete el.dataset.i18nVars;
  el.textContent = t(key, vars);
  return el;
}

// trAttr sets a translated attribute (title, placeholder, aria-label) and
// remembers its key for a language switch.
export function trAttr(el, attr, key) {
  setI18nAttr(el, attr, key);
  return el;
}

function setI18nAttr(el, attr, key) {
  el.dataset[`i18nAttr${attr.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`] = key;
  el.setAttribute(attr, t(key));
}

// clear removes every child of el.
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// icon returns an inline SVG icon built with DOM calls (no markup strings).
const ICONS = {
  camera: 'M4 7h11a2 2 0 0 1 2 2v1.5l4-2.5v8l-4-2.5V15a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2z',
  mic: 'M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3zm-7 9h2a5 5 0 0 0 10 0h2a7 7 0 0 1-6 6.9V21h-2v-2.1A7 7 0 0 1 5 12z',
  screen: 'M3 4h18a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1h-7v2h3v2H7v-2h3v-2H3a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1zm1 2v9h16V6z',
  leave: 'M10 3h9a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-9v-2h9V5h-9zm-1 5 1.4 1.4L8.8 11H16v2H8.8l1.6 1.6L9 16l-4-4z',
  live: 'M12 8a4 4 0 1 1 0 8 4 4 0 0 1 0-8zm-7.1-3.1 1.4 1.4a8 8 0 0 0 0 11.4l-1.4 1.4a10 10 0 0 1 0-14.2zm14.2 0a10 10 0 0 1 0 14.2l-1.4-1.4a8 8 0 0 0 0-11.4z',
  hand: 'M9 3.5a1.5 1.5 0 0 1 3 0V10h1V2.5a1.5 1.5 0 0 1 3 0V10h1V4.5a1.5 1.5 0 0 1 3 0V15a7 7 0 0 1-7 7h-.6a7 7 0 0 1-5.3-2.4l-3.6-4.2a1.5 1.5 0 0 1 2.2-2L8 15V3.5z',
  sound: 'M3 9h4l5-4v14l-5-4H3zm13.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z',
  micOff: 'M12 3a3 3 0 0 1 3 3v5.2L9.1 5.3A3 3 0 0 1 12 3zM4.3 3 3 4.3l6 6V12a3 3 0 0 0 4.6 2.5l1.5 1.5A5 5 0 0 1 7 12H5a7 7 0 0 0 6 6.9V21h2v-2.1a7 7 0 0 0 3.5-1.5l3.2 3.3 1.3-1.3zM19 12h-2a5 5 0 0 1-.4 2l1.5 1.5A7 7 0 0 0 19 12z',
  cameraOff: 'M4.3 3 3 4.3 5.7 7H4a2 2 0 0 0-2 2v6a2 2 0 0 0 2 2h11a2 2 0 0 0 1.3-.5l3.4 3.4 1.3-1.3zM17 9a2 2 0 0 0-2-2H9.8L17 14.2v-.7l4 2.5V8l-4 2.5z',
  more: 'M5 10a2 2 0 1 1 0 4 2 2 0 0 1 0-4zm7 0a2 2 0 1 1 0 4 2 2 0 0 1 0-4zm7 0a2 2 0 1 1 0 4 2 2 0 0 1 0-4z',
  lock: 'M7 10V7a5 5 0 0 1 10 0v3h1a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V11a1 1 0 0 1 1-1zm2 0h6V7a3 3 0 0 0-6 0z',
  unlock: 'M7 10V7a5 5 0 0 1 9.6-2l-1.8.9A3 3 0 0 0 9 7v3h9a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V11a1 1 0 0 1 1-1z',
  star: 'M12 2l3.1 6.3 6.9 1-5 4.9 1.2 6.8L12 17.8 5.8 21l1.2-6.8-5-4.9 6.9-1z',
  stop: 'M6 6h12v12H6z',
  pause: 'M7 5h4v14H7zm6 0h4v14h-4z',
  chevronDown: 'M7.4 8.6 12 13.2l4.6-4.6L18 10l-6 6-6-6z',
  chevronUp: 'M7.4 15.4 12 10.8l4.6 4.6L18 14l-6-6-6 6z',
  up: 'M12 4l7 8h-4v8H9v-8H5z',
  check: 'M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z',
  download: 'M5 20h14v-2H5zm7-3 6-6-1.4-1.4L13 13.2V3h-2v10.2L7.4 9.6 6 11z',
};
export function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', ICONS[name] || '');
  p.setAttribute('fill', 'currentColor');
  svg.append(p);
  return svg;
}
