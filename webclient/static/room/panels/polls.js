// Polls: the teacher opens a poll, students vote, results are shown.
// Not in protocol v1 yet: the messages will be documented in
// docs/classroom.md. Until then the panel says so and ignores events.
import { h } from '../../lib/dom.js';

export function create(ctx) { // eslint-disable-line no-unused-vars
  const el = h('div', { class: 'panel-body panel-empty' },
    h('p', { class: 'panel-note', i18n: 'panel.soon' }));
  return {
    id: 'polls',
    titleKey: 'panel.polls',
    el,
    onJoined() {},
    onEvent() {},
    destroy() {},
  };
}
