// The stage strip: small tiles under the stage for the other people whose
// video is not on the main stage (an assistant, students invited on stage,
// and a student's own camera while on stage). setTiles is called by the
// room with [{track, name, source, participantId?, mirror?, self?}].
// Moderators get a "remove from the stage" button on a student's tile.
import { h, clear } from '../../lib/dom.js';

const MODERATOR = new Set(['teacher', 'assistant']);

export function create(ctx) {
  const el = h('div', { class: 'stage-strip', attrs: { hidden: true, id: 'stage-strip' } });
  const tiles = new Map(); // track id → tile

  function removable(it) {
    if (!MODERATOR.has(ctx.self()?.role) || !it.participantId) return false;
    return ctx.participants().get(it.participantId)?.role === 'student';
  }

  function setTiles(list) {
    const want = new Map(list.map((it) => [it.track.id, it]));
    for (const [id, tile] of tiles) {
      if (!want.has(id)) {
        tile.querySelector('video').srcObject = null;
        tile.remove();
        tiles.delete(id);
      }
    }
    for (const [id, it] of want) {
      const tile = tiles.get(id);
      if (tile) {
        tile.querySelector('.stage-label').textContent = it.name || '';
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
      el.append(fresh);
    }
    el.hidden = tiles.size === 0;
  }

  return {
    id: 'stagestrip',
    el,
    setTiles,
    onJoined() {},
    onEvent() {},
    destroy() { setTiles([]); clear(el); },
  };
}
