// The stage strip: small tiles under the stage for the other people whose
// video is not on the main stage (an assistant, students invited on stage,
// and a student's own camera while on stage). setTiles is called by the
// room with [{track, name, source, participantId?, mirror?, self?}].
// Moderators get a "remove from the stage" button on a student's tile.
// The strip can be collapsed to a bar: its videos are then reported as
// not visible (track.settings), so the server stops sending them.
// Speaking people are outlined (`speakers`).
import { h, clear, icon, trAttr } from '../../lib/dom.js';
import { Speakers, markSpeaker } from '../speakers.js';

const MODERATOR = new Set(['teacher', 'assistant']);

export function create(ctx) {
  const row = h('div', { class: 'strip-tiles', attrs: { id: 'strip-tiles' } });
  const toggle = h('button', {
    class: 'strip-toggle', attrs: { type: 'button', id: 'strip-toggle', 'aria-expanded': 'true', 'aria-controls': 'strip-tiles' },
    on: { click: () => setCollapsed(!collapsed) },
  }, icon('chevronDown'), h('span', { class: 'strip-count' }));
  const el = h('div', { class: 'stage-strip', attrs: { hidden: true, id: 'stage-strip' } }, toggle, row);
  const tiles = new Map(); // track id → tile
  const attach = ctx.attachVideo || (() => {});
  let speakers = null; // Speakers, from the last `speakers` message
  let collapsed = false;

  function setCollapsed(on) {
    collapsed = on;
    row.hidden = on;
    el.classList.toggle('collapsed', on);
    toggle.setAttribute('aria-expanded', String(!on));
    toggle.replaceChild(icon(on ? 'chevronUp' : 'chevronDown'), toggle.firstChild);
    trAttr(toggle, 'title', on ? 'strip.expand' : 'strip.collapse');
    trAttr(toggle, 'aria-label', on ? 'strip.expand' : 'strip.collapse');
    ctx.layoutChanged?.();
  }
  setCollapsed(false);

  function removable(it) {
    if (!MODERATOR.has(ctx.self()?.role) || !it.participantId) return false;
    return ctx.participants().get(it.participantId)?.role === 'student';
  }

  function setTiles(list) {
    const want = new Map(list.map((it) => [it.track.id, it]));
    for (const [id, tile] of tiles) {
      if (!want.has(id)) {
        attach(tile, tile.querySelector('video'), null);
        tile.querySelector('video').srcObject = null;
        tile.remove();
        tiles.delete(id);
      }
    }
    for (const [id, it] of want) {
      const tile = tiles.get(id);
      if (tile) {
        tile.querySelector('.stage-label').textContent = it.name || '';
        tile.dataset.participant = it.participantId || '';
        attach(tile, tile.querySelector('video'), it);
        markSpeaker(tile, it.participantId, speakers);
        continue;
      }
      const video = h('video', { class: it.mirror ? 'mirror' : '', attrs: { autoplay: true, playsinline: true, muted: true } });
      video.muted = true;
      video.srcObject = new MediaStream([it.track]);
      video.play().catch(() => {});
      const fresh = h('div', {
        class: `tile${it.self ? ' tile-self' : ''}`,
        attrs: { 'data-participant': it.participantId || '', 'data-source': it.source || '' },
      }, video, h('div', { class: 'stage-label', text: it.name || '' }),
      removable(it)
        ? h('button', {
          class: 'tile-remove', text: '×', title: 'stage.remove', aria: 'stage.remove', attrs: { type: 'button' },
          on: { click: () => ctx.act('stage.remove', { participantId: it.participantId }) },
        })
        : null);
      tiles.set(id, fresh);
      row.append(fresh);
      attach(fresh, video, it);
      markSpeaker(fresh, it.participantId, speakers);
    }
    el.hidden = tiles.size === 0;
    toggle.lastChild.textContent = String(tiles.size);
  }

  return {
    id: 'stagestrip',
    el,
    setTiles,
    onJoined() {},
    onEvent(type, p) {
      if (type !== 'speakers') return;
      speakers = new Speakers(p);
      for (const tile of tiles.values()) markSpeaker(tile, tile.dataset.participant, speakers);
    },
    destroy() { setTiles([]); clear(el); },
  };
}
