// Participant list (docs/classroom.md): who is in the lesson with their
// role, raised hand, stage place, microphone, speaking and reconnecting
// state, from the join snapshot and participant.joined / updated /
// speaking / left.
// Moderators get a menu per participant of lower rank: stage, microphone,
// camera, chat mute, remove (optionally ban). The teacher also gets the
// attendance export.
import { h, tr, clear, icon } from '../../lib/dom.js';
import { Speakers, markSpeaker } from '../speakers.js';

const ROLE_ORDER = { teacher: 0, assistant: 1, student: 2, observer: 3 };
const RANK = { teacher: 3, assistant: 2, student: 1, observer: 1 };

export function create(ctx) {
  const list = h('ul', { class: 'people', attrs: { id: 'participant-list' } });
  const count = h('p', { class: 'panel-note' });
  const attendance = h('a', {
    class: 'btn btn-small btn-quiet', attrs: { id: 'attendance-csv', hidden: true, download: '' },
  }, icon('download'), h('span', { i18n: 'people.attendanceCsv' }));
  const head = h('div', { class: 'panel-head' }, count, attendance);
  const el = h('div', { class: 'panel-body' }, head, list);
  const chatMuted = new Set(); // participant ids muted in chat (moderators learn it)
  const invited = new Set(); // pending stage invitations (moderators)
  let openMenu = ''; // participant id whose menu is open, kept across renders
  let speakers = null; // Speakers from the last `speakers` message (docs/protocol.md)

  function canAct(target) {
    const self = ctx.self();
    if (!self || target.id === self.id) return false;
    if (self.role !== 'teacher' && self.role !== 'assistant') return false;
    return (RANK[self.role] || 0) > (RANK[target.role] || 0);
  }

  function menu(p) {
    const item = (key, type, payload, opts = {}) => h('button', {
      class: `menu-item${opts.danger ? ' danger' : ''}`, i18n: key,
      attrs: { type: 'button', role: 'menuitem', 'data-action': opts.action || type },
      on: {
        click: async () => {
          if (opts.confirm && !window.confirm(ctx.t(opts.confirm, { name: p.name }))) return;
          details.open = false;
          openMenu = '';
          await ctx.act(type, payload);
        },
      },
    });
    const publishes = p.onStage || p.role === 'assistant' || p.role === 'teacher';
    const items = [];
    if (p.role === 'student') {
      if (p.onStage) items.push(item('stage.remove', 'stage.remove', { participantId: p.id }, { action: 'stage.remove' }));
      else if (invited.has(p.id)) items.push(item('stage.cancelInvite', 'stage.remove', { participantId: p.id }, { action: 'stage.cancel' }));
      else if (!p.reconnecting) items.push(item('stage.invite', 'stage.invite', { participantId: p.id }));
    }
    if (publishes) {
      if (p.muted) items.push(item('people.askUnmute', 'participant.askUnmute', { participantId: p.id }));
      else items.push(item('people.mute', 'participant.mute', { participantId: p.id }));
      if (!p.cameraOff) items.push(item('people.stopCamera', 'participant.stopCamera', { participantId: p.id }));
    }
    if (p.role !== 'observer') {
      const muted = chatMuted.has(p.id);
      items.push(item(muted ? 'people.chatUnmute' : 'people.chatMute', 'chat.mute',
        { participantId: p.id, muted: !muted }, { action: muted ? 'chat.unmute' : 'chat.mute' }));
    }
    items.push(item('people.remove', 'participant.remove', { participantId: p.id },
      { danger: true, confirm: 'people.removeConfirm' }));
    items.push(item('people.ban', 'participant.remove', { participantId: p.id, ban: true },
      { danger: true, confirm: 'people.banConfirm', action: 'participant.ban' }));
    const summary = h('summary', { class: 'menu-button', title: 'people.actions', aria: 'people.actions' }, icon('more'));
    const details = h('details', { class: 'menu' }, summary,
      h('div', { class: 'menu-items', attrs: { role: 'menu' } }, ...items));
    details.open = openMenu === p.id;
    details.addEventListener('toggle', () => {
      if (details.open) {
        openMenu = p.id;
        for (const d of list.querySelectorAll('details.menu[open]')) if (d !== details) d.open = false;
      } else if (openMenu === p.id) openMenu = '';
    });
    return details;
  }

  // markSpeakers outlines who speaks, in place: `speakers` comes often and
  // must not rebuild the list (an open menu, focus).
  function markSpeakers() {
    for (const li of list.children) markSpeaker(li, li.dataset.participant, speakers);
  }

  function states(p) {
    const out = [];
    const st = (cls, name, key) => out.push(h('span', { class: `state ${cls}`, title: key, aria: key, attrs: { role: 'img' } }, icon(name)));
    if (p.handRaised) st('state-hand', 'hand', 'people.handRaised');
    if (p.onStage) st('state-stage', 'star', 'people.onStage');
    if (p.muted && (p.onStage || p.role === 'teacher' || p.role === 'assistant')) st('state-muted', 'micOff', 'people.muted');
    if (p.onStage && p.cameraOff) st('state-camoff', 'cameraOff', 'people.cameraOff');
    if (chatMuted.has(p.id)) out.push(h('span', { class: 'state-text', i18n: 'people.chatMuted' }));
    if (p.reconnecting) out.push(h('span', { class: 'state-text state-reconnecting', i18n: 'people.reconnecting' }));
    return out;
  }

  function render() {
    const people = [...ctx.participants().values()].sort((a, b) =>
      (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9)
      || Number(!!b.onStage) - Number(!!a.onStage)
      || Number(!!b.handRaised) - Number(!!a.handRaised)
      || String(a.name).localeCompare(String(b.name)));
    clear(list);
    const me = ctx.self()?.id;
    for (const p of people) {
      const initial = (p.name || '?').trim().charAt(0).toUpperCase() || '?';
      list.append(h('li', {
        class: `person${p.speaking ? ' speaking' : ''}${p.reconnecting ? ' reconnecting' : ''}`,
        attrs: {
          'data-participant': p.id, 'data-hand': p.handRaised ? 'true' : null,
          'data-stage': p.onStage ? 'true' : null, 'data-muted': p.muted ? 'true' : null,
        },
      },
      h('span', { class: `avatar role-${p.role}`, text: initial, attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'person-main' },
        h('span', { class: 'person-name', text: p.name || p.userId || p.id }),
        p.id === me ? h('span', { class: 'person-you', i18n: 'people.you' }) : null,
        h('span', { class: 'speaking-icon', title: 'people.speaking', aria: 'people.speaking', attrs: { role: 'img' } }, icon('sound'))),
      h('span', { class: 'person-states' }, ...states(p)),
      h('span', { class: `badge role-${p.role}`, i18n: `role.${p.role}` }),
      canAct(p) ? menu(p) : null));
    }
    markSpeakers();
    tr(count, 'people.count', { n: people.length });
    const teacher = ctx.self()?.role === 'teacher';
    attendance.hidden = !teacher;
    if (teacher) attendance.href = `/api/v1/lessons/${encodeURIComponent(ctx.lessonId())}/attendance.csv`;
  }

  return {
    id: 'participants',
    titleKey: 'panel.people',
    el,
    onJoined: render,
    onEvent(type, p) {
      switch (type) {
        case 'lesson.snapshot':
          invited.clear();
          for (const inv of p.invites || []) invited.add(inv.participantId);
          break;
        case 'chat.muteChanged':
          if (p.muted) chatMuted.add(p.participantId);
          else chatMuted.delete(p.participantId);
          break;
        case 'speakers':
          speakers = new Speakers(p);
          markSpeakers();
          return;
        case 'participant.speaking': {
          // The classroom's flag, in place; `speakers` (from the media
          // server) has the last word once it has come.
          if (speakers) return;
          const li = list.querySelector(`li[data-participant="${CSS.escape(String(p.participantId))}"]`);
          if (li) li.classList.toggle('speaking', !!p.speaking);
          return;
        }
        case 'stage.invited': invited.add(p.participantId); break;
        case 'stage.declined': case 'stage.joined': invited.delete(p.participantId); break;
        case 'participant.joined': case 'participant.updated': case 'participant.left':
        case 'stage.left': case 'hand.raised': case 'hand.lowered':
          break;
        default:
          return;
      }
      render();
    },
    destroy() {},
  };
}
