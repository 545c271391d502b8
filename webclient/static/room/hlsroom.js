// HLSMode decides when the room shows the lesson's live HLS stream instead
// of WebRTC: automatically for a student whose receiving connection has not
// connected within FALLBACK_AFTER_MS or has failed, and on demand through
// the "compatibility mode" switch.
import { h } from '../lib/dom.js';
import { HLSFallback } from './hlsplayer.js';

export const FALLBACK_AFTER_MS = 5000;

export class HLSMode {
  url = '';
  student = false;
  chosen = false; // the user switched compatibility mode on
  connected = false; // the receiving connection is up
  #timer = 0;

  constructor({ t }) {
    this.t = t;
    this.player = new HLSFallback();
    this.el = this.player.el;
    this.button = h('button', {
      class: 'btn btn-ghost', attrs: { type: 'button', id: 'compat', 'aria-pressed': 'false', hidden: true },
      title: 'hls.compatHint', on: { click: () => this.toggle() },
    }, h('span', { i18n: 'hls.compat' }));
  }

  get active() { return this.player.active; }

  setURL(url) { this.url = url || ''; this.button.hidden = !this.url || !this.student; }

  setStudent(on) { this.student = !!on; this.button.hidden = !this.url || !this.student; }

  // onMediaState follows the receiving connection's state.
  onMediaState(which, state) {
    if (which !== 'subscribe') return;
    this.connected = state === 'connected';
    if (!this.student || !this.url) return;
    if (state === 'connected') {
      clearTimeout(this.#timer);
      this.#timer = 0;
      if (this.active && !this.chosen) this.#stop();
      return;
    }
    if (state === 'failed') {
      this.#start('hls.fallbackFailed');
      return;
    }
    if (state === 'new' || state === 'connecting') this.expectMedia();
  }

  // expectMedia is called when media is on its way (tracks announced): if
  // the receiving connection is not up FALLBACK_AFTER_MS later, HLS plays.
  expectMedia() {
    if (!this.student || !this.url || this.connected || this.#timer || this.active) return;
    this.#timer = setTimeout(() => {
      this.#timer = 0;
      if (!this.connected) this.#start('hls.fallbackSlow');
    }, FALLBACK_AFTER_MS);
  }

  toggle() {
    this.chosen = !this.active;
    if (this.chosen) this.#start('hls.compatOn');
    else this.#stop();
  }

  #start(key) {
    if (this.active) return;
    this.player.start(this.url, key, this.t);
    document.querySelector('.room')?.classList.add('is-hls');
    this.button.setAttribute('aria-pressed', 'true');
  }

  #stop() {
    this.player.stop();
    document.querySelector('.room')?.classList.remove('is-hls');
    this.button.setAttribute('aria-pressed', 'false');
  }

  stop() {
    clearTimeout(this.#timer);
    this.#timer = 0;
    this.#stop();
  }
}

