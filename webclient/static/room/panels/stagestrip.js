// The stage strip: small tiles under the stage for the other people whose
// video is not on the main stage (an assistant, students invited on stage).
// setTiles is called by the room with [{track, name, source}].
import { h, clear } from '../../lib/dom.js';

export function create(ctx) { // eslint-disable-line no-unused-vars
  const el = h('div', { class: 'stage-strip', attrs: { hidden: true } });
  const tiles = new Map(); // track id → tile

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
      if (tiles.has(id)) continue;
      const video = h('video', { attrs: { autoplay: true, playsinline: true, muted: true } });
      video.muted = true;
      video.srcObject = new MediaStream([it.track]);
      const tile = h('div', { class: 'tile' }, video, h('div', { class: 'stage-label', text: it.name || '' }));
      tiles.set(id, tile);
      el.append(tile);
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
