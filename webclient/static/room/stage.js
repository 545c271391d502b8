// The video stage: one large slot, a picture-in-picture slot, and the sound
// of every remote audio track. Room decides what goes where; the stage
// only renders it, reusing its elements.
import { h, tr, icon } from '../lib/dom.js';

class Slot {
  // hooks.attach(box, video, item) follows what the slot shows (adaptive
  // stream, quality overlays, speakers).
  constructor(cls, hooks) {
    this.hooks = hooks;
    this.video = h('video', { class: 'stage-video', attrs: { autoplay: true, playsinline: true, muted: true } });
    this.video.muted = true; // sound comes from the audio sink; muted video may autoplay
    this.label = h('div', { class: 'stage-label' });
    this.el = h('div', { class: `stage-slot ${cls}`, attrs: { hidden: true } }, this.video, this.label);
    this.track = null;
  }

  // set shows {track, name, source, mirror} or hides the slot for null.
  set(item) {
    const track = item?.track || null;
    if (track !== this.track) {
      this.track = track;
      this.video.srcObject = track ? new MediaStream([track]) : null;
      if (track) this.video.play().catch(() => {});
    }
    this.el.hidden = !track;
    this.video.classList.toggle('mirror', !!item?.mirror);
    this.video.dataset.source = item?.source || '';
    this.el.dataset.source = item?.source || '';
    this.label.textContent = item?.name || '';
    this.label.hidden = !item?.name;
    this.hooks?.attach?.(this.el, this.video, track ? item : null);
  }
}

export class Stage {
  #audio = new Map(); // track id → <audio>
  #blocked = false;
  #pipClosed = false; // the viewer hid the picture-in-picture
  #hooks;

  // hooks: {attach(box, video, item)}, called whenever a slot changes.
  constructor(hooks = {}) {
    this.#hooks = hooks;
    this.main = new Slot('stage-main', hooks);
    this.pip = new Slot('stage-pip', hooks);
    // The small camera over a screen share can be put away; a hidden tile
    // tells the server it is not seen (adaptive stream), which stops it.
    this.pipHide = h('button', {
      class: 'pip-toggle', title: 'stage.hidePip', aria: 'stage.hidePip', attrs: { type: 'button', id: 'pip-hide' },
      on: { click: () => this.#setPipClosed(true) },
    }, icon('chevronDown'));
    this.pip.el.append(this.pipHide);
    this.pipShow = h('button', {
      class: 'btn btn-small pip-show', attrs: { type: 'button', id: 'pip-show', hidden: true },
      on: { click: () => this.#setPipClosed(false) },
    }, icon('camera'), h('span', { i18n: 'stage.showPip' }));
    this.placeholder = h('div', { class: 'stage-placeholder' },
      h('div', { class: 'stage-placeholder-icon' }, icon('camera')),
      h('p', { class: 'stage-placeholder-text' }));
    this.unmute = h('button', {
      class: 'btn btn-primary stage-unmute', attrs: { hidden: true, type: 'button', id: 'enable-sound' },
      on: { click: () => this.#playAll() },
    }, icon('sound'), h('span', { i18n: 'stage.enableSound' }));
    this.audioBox = h('div', { class: 'stage-audio', attrs: { 'aria-hidden': 'true' } });
    this.el = h('section', { class: 'stage', aria: 'stage.label' },
      this.placeholder, this.main.el, this.pip.el, this.pipShow, this.unmute, this.audioBox);
    this.setPlaceholder('stage.connecting');
  }

  // show renders {main, pip}; when main is empty the placeholder shows.
  show({ main, pip }) {
    this.main.set(main || null);
    this.pip.set(main ? pip || null : null);
    this.placeholder.hidden = !!main?.track;
    this.#renderPip();
  }

  #setPipClosed(closed) {
    this.#pipClosed = closed;
    this.#renderPip();
    this.#hooks.layoutChanged?.();
  }

  #renderPip() {
    const has = !!this.pip.track;
    this.pip.el.hidden = !has || this.#pipClosed;
    this.pipShow.hidden = !has || !this.#pipClosed;
    this.el.classList.toggle('has-pip', has && !this.#pipClosed);
  }

  setPlaceholder(key) {
    tr(this.placeholder.querySelector('.stage-placeholder-text'), key);
  }

  // setAudio plays exactly the given remote audio tracks.
  setAudio(tracks) {
    const want = new Map(tracks.map((t) => [t.id, t]));
    for (const [id, el] of this.#audio) {
      if (!want.has(id)) {
        el.srcObject = null;
        el.remove();
        this.#audio.delete(id);
      }
    }
    for (const [id, track] of want) {
      if (this.#audio.has(id)) continue;
      const el = h('audio', { attrs: { autoplay: true } });
      el.srcObject = new MediaStream([track]);
      this.#audio.set(id, el);
      this.audioBox.append(el);
      this.#tryPlay(el);
    }
    if (this.#audio.size === 0) this.#setBlocked(false);
  }

  get soundBlocked() { return this.#blocked; }

  #tryPlay(el) {
    el.play().then(() => {
      if ([...this.#audio.values()].every((a) => !a.paused)) this.#setBlocked(false);
    }).catch((err) => {
      if (err.name === 'NotAllowedError') this.#setBlocked(true);
    });
  }

  #playAll() {
    for (const el of this.#audio.values()) this.#tryPlay(el);
    this.#setBlocked(false);
  }

  #setBlocked(b) {
    this.#blocked = b;
    this.unmute.hidden = !b;
  }

  clear() {
    this.show({});
    this.setAudio([]);
  }
}
