// Chat (docs/classroom.md): chat.send (public, or private to the
// moderators; a moderator may reply privately to a student), chat.delete
// (own; moderators any), chat.history paging, and the chat.message,
// chat.deleted, chat.history, chat.muteChanged, lesson.updated events plus
// the chat part of the join snapshot. Moderators also get the chat
// settings: on/off and slow mode. Message text and names are inserted with
// textContent only.
import { h, tr, clear } from '../../lib/dom.js';
import { lang, onLangChange } from '../../i18n.js';

const MAX_LEN = 2000; // characters (code points), as the server counts
const WARN_AT = 1800;
const MODERATOR = new Set(['teacher', 'assistant']);
const SLOW_CHOICES = [0, 5, 10, 30, 60, 300];

// timeOf formats a message's time in the UI language (not the browser's);
// the times already shown follow a language switch.
function timeOf(ms) {
  return new Intl.DateTimeFormat(lang(), { hour: '2-digit', minute: '2-digit' }).format(new Date(ms || Date.now()));
}

onLangChange(() => {
  for (const el of document.querySelectorAll('time.chat-time[data-ms]')) el.textContent = timeOf(Number(el.dataset.ms));
});

const runes = (s) => [...s].length;

export function create(ctx) {
  const list = h('ol', { class: 'chat-list', attrs: { id: 'chat-messages', 'aria-live': 'polite' } });
  const empty = h('p', { class: 'panel-note chat-empty', i18n: 'chat.empty' });
  const older = h('button', {
    class: 'btn btn-small btn-quiet chat-older', i18n: 'chat.older',
    attrs: { type: 'button', id: 'chat-older', hidden: true }, on: { click: () => loadOlder() },
  });
  const scroller = h('div', { class: 'chat-scroll' }, older, empty, list);
  const input = h('textarea', {
    class: 'chat-input', placeholder: 'chat.placeholder', aria: 'chat.placeholder',
    attrs: { id: 'chat-input', rows: 2 },
  });
  const sendBtn = h('button', { class: 'btn btn-primary', i18n: 'chat.send', attrs: { type: 'submit', id: 'chat-send' } });
  const counter = h('span', { class: 'chat-counter', attrs: { id: 'chat-counter', 'aria-live': 'polite' } });
  const toSelect = h('select', {
    class: 'chat-to', aria: 'chat.to', title: 'chat.to', attrs: { id: 'chat-to' },
    on: { change: () => { replyTo = null; renderReply(); } },
  },
  h('option', { i18n: 'chat.toEveryone', attrs: { value: '' } }),
  h('option', { i18n: 'chat.toModerators', attrs: { value: 'moderators' } }));
  const replyChip = h('span', { class: 'chip chat-reply', attrs: { hidden: true, id: 'chat-reply' } });
  const note = h('p', { class: 'panel-note chat-note', attrs: { hidden: true, id: 'chat-note', role: 'status' } });
  const form = h('form', { class: 'chat-form', on: { submit: (e) => { e.preventDefault(); send(); } } },
    input, sendBtn);
  const formMeta = h('div', { class: 'chat-form-meta' }, toSelect, replyChip, counter);

  // Moderators: chat on/off and slow mode.
  const enabledBox = h('input', {
    attrs: { type: 'checkbox', id: 'chat-enabled', checked: true },
    on: { change: () => ctx.act('chat.enable', { enabled: enabledBox.checked }).then((ok) => { if (!ok) enabledBox.checked = chatEnabled; }) },
  });
  const slowSelect = h('select', {
    class: 'select-small', attrs: { id: 'chat-slow' },
    on: { change: () => ctx.act('chat.slow', { seconds: Number(slowSelect.value) }).then((ok) => { if (!ok) slowSelect.value = String(slowSeconds); }) },
  });
  for (const s of SLOW_CHOICES) {
    slowSelect.append(s === 0
      ? h('option', { i18n: 'chat.slowOff', attrs: { value: '0' } })
      : h('option', { i18n: s >= 60 ? 'chat.slowMinutes' : 'chat.slowSeconds', vars: { n: s >= 60 ? s / 60 : s }, attrs: { value: String(s) } }));
  }
  const settings = h('details', { class: 'chat-settings', attrs: { hidden: true, id: 'chat-settings' } },
    h('summary', { i18n: 'chat.settings' }),
    h('div', { class: 'settings-rows' },
      h('label', { class: 'check' }, enabledBox, h('span', { i18n: 'chat.enabled' })),
      h('label', { class: 'inline-field' }, h('span', { i18n: 'chat.slowMode' }), slowSelect)));

  const el = h('div', { class: 'panel-body chat' }, settings, scroller, note, form, formMeta);
  const items = new Map(); // message id → <li>
  let chatEnabled = true;
  let slowSeconds = 0;
  let mutedSelf = false;
  let hasMore = false;
  let oldestId = 0;
  let waitUntil = 0; // rate limit / slow mode: no sending before this (ms)
  let waitTimer = 0;
  let replyTo = null; // {id, name}: a moderator's private reply
  let sending = false;

  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  input.addEventListener('input', () => updateCounter());

  const isModerator = () => MODERATOR.has(ctx.self()?.role);

  function mayWrite() {
    const self = ctx.self();
    return !!self && self.role !== 'observer' && self.permissions?.chat !== false;
  }

  function canChat() {
    if (!mayWrite()) return false;
    return isModerator() || (chatEnabled && !mutedSelf);
  }

  function updateCounter() {
    const n = runes(input.value.trim());
    tr(counter, 'chat.counter', { n, max: MAX_LEN });
    counter.classList.toggle('warn', n >= WARN_AT);
    counter.classList.toggle('over', n > MAX_LEN);
    counter.hidden = n < WARN_AT / 2 && n <= MAX_LEN;
    sendBtn.disabled = !canChat() || n > MAX_LEN || Date.now() < waitUntil || sending;
  }

  function updateForm() {
    const ok = canChat();
    const write = mayWrite();
    input.disabled = !ok;
    form.hidden = !write;
    formMeta.hidden = !write;
    settings.hidden = !isModerator();
    let key = '';
    let vars;
    if (!write) key = 'chat.readOnly';
    else if (!ok && mutedSelf) key = 'chat.muted';
    else if (!ok && !chatEnabled) key = 'chat.disabled';
    else if (Date.now() < waitUntil) { key = 'chat.wait'; vars = { s: Math.ceil((waitUntil - Date.now()) / 1000) }; }
    else if (slowSeconds > 0 && !isModerator()) { key = 'chat.slowOn'; vars = { s: slowSeconds }; }
    note.hidden = !key;
    if (key) tr(note, key, vars);
    note.classList.toggle('warn', key === 'chat.wait');
    enabledBox.checked = chatEnabled;
    slowSelect.value = String(slowSeconds);
    updateCounter();
  }

  // wait blocks sending for ms (rate limit, slow mode), with a countdown.
  function wait(ms) {
    waitUntil = Date.now() + ms;
    clearInterval(waitTimer);
    waitTimer = setInterval(() => {
      if (Date.now() >= waitUntil) clearInterval(waitTimer);
      updateForm();
    }, 500);
    updateForm();
  }

  function renderReply() {
    replyChip.hidden = !replyTo;
    toSelect.hidden = !!replyTo;
    clear(replyChip);
    if (!replyTo) return;
    replyChip.append(
      h('span', { i18n: 'chat.replyTo', vars: { name: replyTo.name } }),
      h('button', {
        class: 'chip-x', text: '×', title: 'chat.replyCancel', aria: 'chat.replyCancel',
        attrs: { type: 'button' }, on: { click: () => { replyTo = null; renderReply(); } },
      }));
  }

  async function send() {
    const text = input.value.trim();
    if (!text || !canChat() || sending || runes(text) > MAX_LEN || Date.now() < waitUntil) return;
    const payload = { text };
    if (replyTo) payload.to = replyTo.id;
    else if (toSelect.value) payload.to = toSelect.value;
    sending = true;
    updateCounter();
    try {
      await ctx.request('chat.send', payload);
      input.value = '';
      if (slowSeconds > 0 && !isModerator()) wait(slowSeconds * 1000);
    } catch (err) {
      if (err.code === 'rate_limited' && err.retryAfterMs > 0) wait(err.retryAfterMs);
      else ctx.showError?.(err);
    } finally {
      sending = false;
      updateForm();
    }
  }

  function render(m, { prepend = false } = {}) {
    if (!m || m.id == null || items.has(m.id)) return;
    const self = ctx.self();
    const mine = m.senderId === self?.id;
    const mod = isModerator();
    const peer = m.private && m.peerId ? ctx.participants().get(m.peerId) : null;
    const li = h('li', {
      class: `chat-msg${mine ? ' mine' : ''}${m.private ? ' private' : ''}`,
      attrs: { 'data-message': String(m.id) },
    },
    h('div', { class: 'chat-meta' },
      h('span', { class: 'chat-name', text: m.senderName || '' }),
      MODERATOR.has(m.senderRole) ? h('span', { class: `badge role-${m.senderRole}`, i18n: `role.${m.senderRole}` }) : null,
      m.private ? h('span', { class: 'badge badge-private', i18n: mod && m.peerId && m.peerId !== m.senderId ? 'chat.privateTo' : 'chat.private', vars: { name: peer?.name || '' } }) : null,
      h('time', { class: 'chat-time', text: timeOf(m.sentAt), attrs: { 'data-ms': m.sentAt || Date.now() } }),
      mod && m.private && m.peerId && !mine
        ? h('button', {
          class: 'chat-action', i18n: 'chat.reply', attrs: { type: 'button' },
          on: {
            click: () => {
              replyTo = { id: m.peerId, name: m.senderName || '' };
              renderReply();
              input.focus();
            },
          },
        })
        : null,
      mine || mod
        ? h('button', {
          class: 'chat-delete', title: 'chat.delete', aria: 'chat.delete', text: '×',
          attrs: { type: 'button' }, on: { click: () => ctx.act('chat.delete', { messageId: m.id }) },
        })
        : null),
    h('p', { class: 'chat-text', text: m.text }));
    items.set(m.id, li);
    if (!oldestId || m.id < oldestId) oldestId = m.id;
    if (prepend) list.prepend(li);
    else {
      const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
      list.append(li);
      if (atBottom || mine) li.scrollIntoView({ block: 'end' });
    }
    empty.hidden = true;
  }

  function reset(messages = [], more = false) {
    clear(list);
    items.clear();
    oldestId = 0;
    for (const m of messages) render(m);
    hasMore = more;
    older.hidden = !hasMore;
    empty.hidden = items.size > 0;
  }

  function history(p) {
    const before = scroller.scrollHeight;
    for (const m of [...(p.messages || [])].reverse()) render(m, { prepend: true });
    hasMore = !!p.hasMore;
    older.hidden = !hasMore;
    older.disabled = false;
    scroller.scrollTop += scroller.scrollHeight - before; // keep the view where it was
    empty.hidden = items.size > 0;
  }

  function loadOlder() {
    if (!hasMore || !oldestId) return;
    older.disabled = true;
    ctx.request('chat.history', { beforeId: oldestId, limit: 50 }).catch((err) => {
      older.disabled = false;
      ctx.showError?.(err);
    });
  }

  return {
    id: 'chat',
    titleKey: 'panel.chat',
    el,
    onJoined() {
      mutedSelf = false;
      replyTo = null;
      renderReply();
      toSelect.hidden = !mayWrite();
      updateForm();
    },
    onEvent(type, p) {
      switch (type) {
        case 'lesson.snapshot':
          reset(p.chat?.messages || [], !!p.chat?.hasMore);
          if (p.lesson) {
            chatEnabled = p.lesson.chatEnabled !== false;
            slowSeconds = p.lesson.slowModeSeconds || 0;
          }
          mutedSelf = !!p.self?.chatMuted;
          updateForm();
          break;
        case 'chat.message': render(p); break;
        case 'chat.deleted': {
          const li = items.get(p.messageId);
          if (li) { li.remove(); items.delete(p.messageId); }
          empty.hidden = items.size > 0;
          break;
        }
        case 'chat.history': history(p); break;
        case 'chat.muteChanged':
          if (p.participantId === ctx.self()?.id) { mutedSelf = !!p.muted; updateForm(); }
          break;
        case 'lesson.updated':
          if ('chatEnabled' in p) chatEnabled = !!p.chatEnabled;
          if ('slowModeSeconds' in p) slowSeconds = p.slowModeSeconds || 0;
          updateForm();
          break;
        default:
      }
    },
    destroy() { clearInterval(waitTimer); },
  };
}
