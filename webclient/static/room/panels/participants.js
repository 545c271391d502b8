// Participant list: who is in the lesson, from `joined`,
// `participant.joined` and `participant.left` (protocol.md).
import { h, tr, clear } from '../../lib/dom.js';

const ROLE_ORDER = { teacher: 0, assistant: 1, student: 2, observer: 3 };

export function create(ctx) {
  const list = h('ul', { class: 'people', attrs: { id: 'participant-list' } });
  const count = h('p', { class: 'panel-note' });
  const el = h('div', { class: 'panel-body' }, count, list);

  function render() {
    const people = [...ctx.participants().values()].sort((a, b) =>
      (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || String(a.name).localeCompare(String(b.name)));
    clear(list);
    const me = ctx.self()?.id;
    for (const p of people) {
      const initial = (p.name || '?').trim().charAt(0).toUpperCase() || '?';
      list.append(h('li', { class: 'person', attrs: { 'data-participant': p.id } },
        h('span', { class: `avatar role-${p.role}`, text: initial, attrs: { 'aria-hidden': 'true' } }),
        h('span', { class: 'person-name', text: p.name || p.userId || p.id }),
        p.id === me ? h('span', { class: 'person-you', i18n: 'people.you' }) : null,
        h('span', { class: `badge role-${p.role}`, i18n: `role.${p.role}` })));
    }
    tr(count, 'people.count', { n: people.length });
  }

  return {
    id: 'participants',
    titleKey: 'panel.people',
    el,
    onJoined: render,
    onEvent(type) {
      if (type === 'participant.joined' || type === 'participant.left') render();
    },
    destroy() {},
  };
}
