// Raised hands (docs/classroom.md): a student's raise / lower button, and
// for moderators the queue (hands.queue) with a lower button per hand.
// Stage invitations build on this next.
import { h, tr, clear, icon } from '../../lib/dom.js';

const MODERATOR = new Set(['teacher', 'assistant']);

export function create(ctx) {
  const button = h('button', {
    class: 'ctl', attrs: { type: 'button', id: 'toggle-hand', 'aria-pressed': 'false', hidden: true },
    on: { click: () => ctx.send(raised ? 'hand.lower' : 'hand.raise', {}) },
  }, icon('hand'), h('span', { class: 'ctl-label' }));
  const queue = h('ol', { class: 'hand-queue', attrs: { id: 'hand-queue' } });
  const queueBox = h('div', { class: 'hands-queue', attrs: { hidden: true } },
    h('span', { class: 'hands-title', i18n: 'hands.queue' }), queue);
  const el = h('div', { class: 'hands' }, button, queueBox);
  let raised = false;

  function renderButton() {
    const self = ctx.self();
    button.hidden = !self || self.role !== 'student';
    button.setAttribute('aria-pressed', String(raised));
    button.classList.toggle('on', raised);
    tr(button.querySelector('.ctl-label'), raised ? 'hands.lower' : 'hands.raise');
  }

  function renderQueue(list) {
    clear(queue);
    for (const q of list || []) {
      queue.append(h('li', { class: 'hand', attrs: { 'data-participant': q.participantId } },
        h('span', { class: 'hand-pos', text: String(q.position || '') }),
        h('span', { class: 'hand-name', text: q.name || '' }),
        h('button', {
          class: 'btn btn-small', i18n: 'hands.lowerFor', attrs: { type: 'button' },
          on: { click: () => ctx.send('hand.lower', { participantId: q.participantId }) },
        })));
    }
    queueBox.hidden = !MODERATOR.has(ctx.self()?.role) || queue.childElementCount === 0;
  }

  return {
    id: 'hands',
    el,
    onJoined() { renderButton(); },
    onEvent(type, p) {
      const me = ctx.self()?.id;
      switch (type) {
        case 'lesson.snapshot':
          raised = p.self?.handPosition > 0;
          renderButton();
          if (p.hands) renderQueue(p.hands);
          break;
        case 'hand.raised': if (p.participantId === me) { raised = true; renderButton(); } break;
        case 'hand.lowered': if (p.participantId === me) { raised = false; renderButton(); } break;
        case 'hands.queue': renderQueue(p.queue); break;
        default:
      }
    },
    destroy() {},
  };
}

