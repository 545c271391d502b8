// A modal question with two answers and an optional countdown, built on
// <dialog>: the invitation to the stage and the request to unmute.
import { h, icon } from '../lib/dom.js';

const MAX_WAIT_MS = 120000;

// ask shows the question and resolves with 'yes', 'no', 'expired' or
// 'closed' (closed from outside with close()). Options:
//   id             DOM id of the dialog
//   iconName       an icon from lib/dom.js
//   titleKey, textKey, vars   dictionary keys and their values
//   yesKey, noKey  the two buttons (ids `${id}-yes`, `${id}-no`)
//   expiresAt      Unix ms: a countdown, 'expired' when it runs out
export function ask({ id, iconName, titleKey, textKey, vars, yesKey, noKey, expiresAt }) {
  let settle;
  const result = new Promise((resolve) => { settle = resolve; });
  let timer = 0;
  const countdown = h('p', { class: 'prompt-countdown', attrs: { 'aria-live': 'off' } });
  const yes = h('button', { class: 'btn btn-primary', i18n: yesKey, attrs: { type: 'button', id: `${id}-yes` }, on: { click: () => done('yes') } });
  const no = h('button', { class: 'btn', i18n: noKey, attrs: { type: 'button', id: `${id}-no` }, on: { click: () => done('no') } });
  const dialog = h('dialog', { class: 'prompt', attrs: { id, 'aria-labelledby': `${id}-title` } },
    h('div', { class: 'prompt-icon' }, icon(iconName || 'hand')),
    h('h2', { class: 'prompt-title', i18n: titleKey, vars, attrs: { id: `${id}-title` } }),
    textKey ? h('p', { class: 'prompt-text', i18n: textKey, vars }) : null,
    expiresAt ? countdown : null,
    h('div', { class: 'prompt-actions' }, no, yes));
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); done('no'); });
  document.body.append(dialog);
  dialog.showModal();
  yes.focus();

  if (expiresAt) {
    const total = Math.min(MAX_WAIT_MS, Math.max(0, expiresAt - Date.now()));
    const end = Date.now() + total;
    const tick = () => {
      const left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      countdown.dataset.seconds = String(left);
      countdown.textContent = '';
      countdown.append(h('span', { i18n: 'prompt.secondsLeft', vars: { s: left } }));
      const bar = h('span', { class: 'prompt-bar' });
      bar.style.setProperty('--left', String(Math.min(1, Math.max(0, end - Date.now()) / (total || 1))));
      countdown.append(bar);
      if (left <= 0) done('expired');
    };
    tick();
    timer = setInterval(tick, 250);
  }

  function done(answer) {
    if (!dialog.isConnected) return;
    clearInterval(timer);
    dialog.close();
    dialog.remove();
    settle(answer);
  }

  return { el: dialog, result, close: () => done('closed') };
}
