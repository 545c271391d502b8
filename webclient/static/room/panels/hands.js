// Raised hands and the stage, in the control bar (docs/classroom.md):
// a student's raise / lower button; for moderators the ordered queue
// (hands.queue) with "invite to the stage" and "lower" per hand and
// "lower all", and the stage itself: who is on it (remove one, remove
// all) and pending invitations (cancel).
import { h, tr, clear, icon } from '../../lib/dom.js';

const MODERATOR = new Set(['teacher', 'assistant']);

export function create(ctx) {
  const button = h('button', {
    class: 'ctl', attrs: { type: 'button', id: 'toggle-hand', 'aria-pressed': 'false', hidden: true },
    on: { click: () => ctx.act(raised ? 'hand.lower' : 'hand.raise', {}) },
  }, icon('hand'), h('span', { class: 'ctl-label' }));
  const queue = h('ol', { class: 'hand-queue', attrs: { id: 'hand-queue' } });
  const lowerAll = h('button', {
    class: 'btn btn-small btn-quiet', i18n: 'hands.lowerAll', attrs: { type: 'button', id: 'hands-lower-all' },
    on: { click: () => ctx.act('hand.lowerAll', {}) },
  });
  const queueBox = h('div', { class: 'bar-group hands-queue', attrs: { hidden: true } },
    h('span', { class: 'bar-title' }, icon('hand'), h('span', { i18n: 'hands.queue' })), queue, lowerAll);
  const onStage = h('ul', { class: 'chip-list', attrs: { id: 'stage-list' } });
  const clearStage = h('button', {
    class: 'btn btn-small btn-quiet', i18n: 'stage.removeAll', attrs: { type: 'button', id: 'stage-remove-all' },
    on: { click: () => ctx.act('stage.removeAll', {}) },
  });
  const stageBox = h('div', { class: 'bar-group stage-box', attrs: { hidden: true } },
    h('span', { class: 'bar-title' }, icon('star'), h('span', { i18n: 'stage.title' })), onStage, clearStage);
  const el = h('div', { class: 'hands' }, button, queueBox, stageBox);
  let raised = false;
  let hands = [];
  let stage = []; // participant ids on stage, in order
  const invites = new Map(); // participant id → expiresAt

  const isMod = () => MODERATOR.has(ctx.self()?.role);
  const nameOf = (id) => ctx.participants().get(id)?.name || '';

  function renderButton() {
    const self = ctx.self();
    const me = self && ctx.participants().get(self.id);
    button.hidden = !self || self.role !== 'student' || !!me?.onStage;
    button.setAttribute('aria-pressed', String(raised));
    button.classList.toggle('on', raised);
    tr(button.querySelector('.ctl-label'), raised ? 'hands.lower' : 'hands.raise');
  }

  function renderQueue() {
    clear(queue);
    for (const q of hands) {
      const invited = invites.has(q.participantId);
      queue.append(h('li', { class: 'chip hand', attrs: { 'data-participant': q.participantId } },
        h('span', { class: 'hand-pos', text: String(q.position || '') }),
        h('span', { class: 'chip-name', text: q.name || nameOf(q.participantId) }),
        h('button', {
          class: 'btn btn-small btn-primary', i18n: invited ? 'stage.invitedShort' : 'stage.invite',
          attrs: { type: 'button', 'data-invite': q.participantId, disabled: invited },
          on: { click: () => ctx.act('stage.invite', { participantId: q.participantId }) },
        }),
        h('button', {
          class: 'btn btn-small', i18n: 'hands.lowerFor', attrs: { type: 'button', 'data-lower': q.participantId },
          on: { click: () => ctx.act('hand.lower', { participantId: q.participantId }) },
        })));
    }
    queueBox.hidden = !isMod() || hands.length === 0;
  }

  function renderStage() {
    clear(onStage);
    for (const id of stage) {
      onStage.append(h('li', { class: 'chip on-stage', attrs: { 'data-participant': id } },
        h('span', { class: 'chip-name', text: nameOf(id) }),
        h('button', {
          class: 'chip-x', text: '×', title: 'stage.remove', aria: 'stage.remove',
          attrs: { type: 'button', 'data-stage-remove': id },
          on: { click: () => ctx.act('stage.remove', { participantId: id }) },
        })));
    }
    for (const id of invites.keys()) {
      if (stage.includes(id)) continue;
      onStage.append(h('li', { class: 'chip invited', attrs: { 'data-participant': id, 'data-invited': 'true' } },
        h('span', { class: 'chip-name', text: nameOf(id) }),
        h('span', { class: 'chip-note', i18n: 'stage.invitedShort' }),
        h('button', {
          class: 'chip-x', text: '×', title: 'stage.cancelInvite', aria: 'stage.cancelInvite',
          attrs: { type: 'button', 'data-stage-cancel': id },
          on: { click: () => ctx.act('stage.remove', { participantId: id }) },
        })));
    }
    stageBox.hidden = !isMod() || onStage.childElementCount === 0;
    renderQueue(); // the invite buttons follow pending invitations
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
          hands = p.hands || [];
          stage = [...(p.stage || [])];
          invites.clear();
          for (const inv of p.invites || []) invites.set(inv.participantId, inv.expiresAt);
          renderButton();
          renderStage();
          break;
        case 'hand.raised': if (p.participantId === me) { raised = true; renderButton(); } break;
        case 'hand.lowered': if (p.participantId === me) { raised = false; renderButton(); } break;
        case 'hands.queue': hands = p.queue || []; renderQueue(); break;
        case 'stage.invited': invites.set(p.participantId, p.expiresAt); renderStage(); break;
        case 'stage.declined': invites.delete(p.participantId); renderStage(); break;
        case 'stage.joined':
          invites.delete(p.participantId);
          if (!stage.includes(p.participantId)) stage.push(p.participantId);
          renderStage();
          renderButton();
          break;
        case 'stage.left':
          stage = stage.filter((id) => id !== p.participantId);
          renderStage();
          renderButton();
          break;
        case 'participant.left':
          stage = stage.filter((id) => id !== p.participantId);
          invites.delete(p.participantId);
          renderStage();
          break;
        case 'participant.updated':
          if (p.id === me) renderButton();
          else if (stage.includes(p.id) || invites.has(p.id)) renderStage();
          break;
        default:
      }
    },
    destroy() {},
  };
}
