// What the server says about each received video (docs/protocol.md,
// `track.quality`): a "paused: low bandwidth" overlay over a tile whose
// video the SFU stopped, and a small quality badge (low / medium / high)
// that shows on hover. A pause shows only once it has lasted
// PAUSED_SHOW_DELAY_MS, so a layer switch does not flash it. Tiles register their box with attach(); the state
// outlives the tiles, so a tile made after the message still shows it.
import { h, tr, icon } from '../lib/dom.js';

const LAYER_KEYS = ['quality.low', 'quality.medium', 'quality.high'];
// A pause shorter than this (a layer switch, a probe) shows nothing.
export const PAUSED_SHOW_DELAY_MS = 800;

export class QualityOverlays {
  #state = new Map(); // track id → {layer, paused}
  #boxes = new Map(); // tile box → {trackId, source, paused, badge}
  #shown = new Set(); // track ids paused for longer than PAUSED_SHOW_DELAY_MS
  #timers = new Map(); // track id → timer that will add it to #shown

  // attach shows trackId's quality over box (a stage slot or a strip
  // tile); an empty trackId removes the overlays (a local preview).
  attach(box, trackId, source) {
    let b = this.#boxes.get(box);
    if (!trackId) {
      if (b) {
        b.paused.remove();
        b.badge.remove();
        this.#boxes.delete(box);
      }
      return;
    }
    if (!b) {
      b = {
        paused: h('div', { class: 'video-paused', attrs: { hidden: true, role: 'status' } },
          icon('pause'), h('span', { i18n: 'quality.paused' })),
        badge: h('span', { class: 'quality-badge', attrs: { hidden: true } }),
      };
      box.append(b.paused, b.badge);
      this.#boxes.set(box, b);
    }
    b.trackId = trackId;
    b.source = source || '';
    this.#render(box, b);
  }

  // update applies one track.quality payload.
  update({ trackId, layer, paused }) {
    if (!trackId) return;
    this.#state.set(trackId, { layer: Number.isInteger(layer) ? layer : -1, paused: !!paused });
    if (!paused) {
      clearTimeout(this.#timers.get(trackId));
      this.#timers.delete(trackId);
      this.#shown.delete(trackId);
    } else if (!this.#shown.has(trackId) && !this.#timers.has(trackId)) {
      this.#timers.set(trackId, setTimeout(() => {
        this.#timers.delete(trackId);
        this.#shown.add(trackId);
        this.#renderTrack(trackId);
      }, PAUSED_SHOW_DELAY_MS));
    }
    this.#renderTrack(trackId);
  }

  #renderTrack(trackId) {
    for (const [box, b] of this.#boxes) if (b.trackId === trackId) this.#render(box, b);
  }

  // forget drops a track that is gone, or everything (a new session).
  forget(trackId) {
    for (const [id, timer] of this.#timers) {
      if (!trackId || id === trackId) {
        clearTimeout(timer);
        this.#timers.delete(id);
      }
    }
    if (trackId) {
      this.#state.delete(trackId);
      this.#shown.delete(trackId);
    } else {
      this.#state.clear();
      this.#shown.clear();
    }
    for (const [box, b] of this.#boxes) if (!trackId || b.trackId === trackId) this.#render(box, b);
  }

  #render(box, b) {
    const q = this.#state.get(b.trackId);
    const paused = !!q?.paused && this.#shown.has(b.trackId);
    b.paused.hidden = !paused;
    box.classList.toggle('is-paused', paused);
    box.dataset.layer = q && q.layer >= 0 ? String(q.layer) : '';
    // One encoding (a screen share, a WHIP publisher) has nothing to rank.
    const key = q && !q.paused && b.source !== 'screen' ? LAYER_KEYS[q.layer] : null;
    b.badge.hidden = !key;
    if (key) {
      tr(b.badge, key);
      b.badge.dataset.layer = String(q.layer);
    }
  }
}
