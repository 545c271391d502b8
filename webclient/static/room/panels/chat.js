// Chat (docs/classroom.md): chat.send / chat.delete / chat.history, and the
// chat.message, chat.deleted, chat.history, chat.muteChanged, lesson.updated
// events plus the chat part of lesson.snapshot. Message text and names are
// inserted with textContent only.
import { h, tr, clear } from '../../lib/dom.js';

const MAX_LEN = 2000;
const MODERATOR = new Set(['teacher', 'assistant']);

function timeOf(ms) {
  const d = new Date(ms || Date.now());
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function create(ctx) {
  const list = h('ol', { class: 'chat-list', attrs: { id: 'chat-messages', 'aria-live': 'polite' } });
  const empty = h('p', { class: 'panel-note chat-empty', i18n: 'chat.empty' });
  const input = h('textarea', {
    class: 'chat-input', placeholder: 'chat.placeholder', aria: 'chat.placeholder',
    attrs: { id: 'chat-input', rows: 2, maxlength: MAX_LEN },
  });
  const sendBtn = h('button', { class: 'btn btn-primary', i18n: 'chat.send', attrs: { type: 'submit', id: 'chat-send' } });
  const note = h('p', { class: 'panel-note chat-note', attrs: { hidden: true } });
  const form = h('form', { class: 'chat-form', on: { submit: (e) => { e.preventDefault(); send(); } } }, input, sendBtn);
  const el = h('div', { class: 'panel-body chat' }, h('div', { class: 'chat-scroll' }, empty, list), note, form);
  const items = new Map(); // message id → <li>
  let chatEnabled = true;
  let mutedSelf = false;

  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });

  function isModerator() { return MODERATOR.has(ctx.self()?.role); }

  function canChat() {
    const self = ctx.self();
    if (!self || self.role === 'observer' || self.permissions?.chat === false) return false;
    return isModerator() || (chatEnabled && !mutedSelf);
  }

  function updateForm() {
    const ok = canChat();
    input.disabled = !ok;
    sendBtn.disabled = !ok;
    const self = ctx.self();
    let key = '';
    if (self && (self.role === 'observer' || self.permissions?.chat === false)) key = 'chat.readOnly';
    else if (!ok && mutedSelf) key = 'chat.muted';
    else if (!ok && !chatEnabled) key = 'chat.disabled';
    note.hidden = !key;
    if (key) tr(note, key);
  }

  function send() {
    const text = input.value.trim();
    if (!text || !canChat()) return;
    ctx.send('chat.send', { text: text.slice(0, MAX_LEN) });
    input.value = '';
  }

  function render(m, { prepend = false } = {}) {
    if (!m || !m.id || items.has(m.id)) return;
    const self = ctx.self();
    const mine = m.senderId === self?.id;
    const li = h('li', { class: `chat-msg${mine ? ' mine' : ''}${m.private ? ' private' : ''}`, attrs: { 'data-message': m.id } },
      h('div', { class: 'chat-meta' },
        h('span', { class: 'chat-name', text: m.senderName || '' }),
        MODERATOR.has(m.senderRole) ? h('span', { class: `badge role-${m.senderRole}`, i18n: `role.${m.senderRole}` }) : null,
        m.private ? h('span', { class: 'badge', i18n: 'chat.private' }) : null,
        h('time', { class: 'chat-time', text: timeOf(m.sentAt) }),
        mine || isModerator()
          ? h('button', {
            class: 'chat-delete', title: 'chat.delete', aria: 'chat.delete', text: '×',
            attrs: { type: 'button' }, on: { click: () => ctx.send('chat.delete', { messageId: m.id }) },
          })
          : null),
      h('p', { class: 'chat-text', text: m.text }));
    items.set(m.id, li);
    if (prepend) list.prepend(li);
    else {
      const atBottom = el.querySelector('.chat-scroll').scrollHeight - el.querySelector('.chat-scroll').scrollTop
        - el.querySelector('.chat-scroll').clientHeight < 40;
      list.append(li);
      if (atBottom || mine) li.scrollIntoView({ block: 'end' });
    }
    empty.hidden = true;
  }

  function reset(messages = []) {
    clear(list);
    items.clear();
    for (const m of messages) render(m);
    empty.hidden = items.size > 0;
  }

  function history(p) {
    for (const m of [...(p.messages || [])].reverse()) render(m, { prepend: true });
    empty.hidden = items.size > 0;
  }

  return {
    id: 'chat',
    titleKey: 'panel.chat',
    el,
    onJoined() {
      mutedSelf = false;
      updateForm();
      // The snapshot normally carries the recent chat; ask anyway (quietly:
      // a server without the chat yet says unknown_type).
      ctx.request('chat.history', { limit: 50 }).then(({ type, payload }) => {
        if (type === 'chat.history') history(payload);
      }).catch(() => {});
    },
    onEvent(type, p) {
      switch (type) {
        case 'lesson.snapshot':
          if (p.chat) reset(p.chat.messages || []);
          if (p.lesson && 'chatEnabled' in p.lesson) chatEnabled = !!p.lesson.chatEnabled;
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
          if ('chatEnabled' in p) { chatEnabled = !!p.chatEnabled; updateForm(); }
          break;
        default:
      }
    },
    destroy() {},
  };
}
