// HLS fallback: when WebRTC cannot connect (no UDP, no TURN) or the user
// asks for compatibility mode, the lesson plays from its live HLS stream,
// a few seconds behind, with hls.js (vendored, loaded on first use) or the
// browser's own HLS support (Safari on iPhone).
import { h } from '../lib/dom.js';

const HLS_SCRIPT = '/vendor/hls-1.6.15.min.js';
let hlsLoad = null;

// loadHls loads the vendored hls.js once; it resolves to window.Hls.
export function loadHls() {
  if (window.Hls) return Promise.resolve(window.Hls);
  if (!hlsLoad) {
    hlsLoad = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = HLS_SCRIPT;
      s.onload = () => resolve(window.Hls);
      s.onerror = () => { hlsLoad = null; reject(new Error('hls.js did not load')); };
      document.head.append(s);
    });
  }
  return hlsLoad;
}

// LIVE_CONFIG holds a low-latency live edge: the server's playlists are
// LL-HLS (200 ms parts, blocking reloads), which lowLatencyMode loads part
// by part. The target is 2 s behind the newest media rather than the
// playlist's PART-HOLD-BACK (0.5 s): that tighter edge stalled the player
// on a loaded 2-core machine (docs/benchmarks.md). A player that drifts
// behind plays up to 1.25× faster until it is back, and one more than
// 6 s behind jumps to the edge.
const LIVE_CONFIG = {
  lowLatencyMode: true,
  liveSyncDuration: 2,
  liveMaxLatencyDuration: 6,
  maxLiveSyncPlaybackRate: 1.25,
  backBufferLength: 30,
  enableWorker: false,
};

// attachHls plays url in video; it returns a function that stops it. live
// keeps the player near the live edge.
export async function attachHls(video, url, { live = true, onError } = {}) {
  const Hls = await loadHls().catch(() => null);
  if (Hls && Hls.isSupported()) {
    const hls = new Hls(live ? LIVE_CONFIG : { enableWorker: false });
    hls.on(Hls.Events.ERROR, (_e, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        setTimeout(() => hls.startLoad(), 1000);
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
      } else {
        onError?.(data);
      }
    });
    hls.loadSource(url);
    hls.attachMedia(video);
    video.lecternHls = hls; // for figures: playingDate is the frame's capture time
    return () => hls.destroy();
  }
  if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = url;
    return () => { video.removeAttribute('src'); video.load(); };
  }
  onError?.(new Error('HLS is not supported by this browser'));
  return () => {};
}

// HLSFallback is the room's fallback player: one muted-autoplay video
// (unmuted by the user's first click) with a banner saying why it is on.
export class HLSFallback {
  active = false;
  #stop = null;

  constructor() {
    this.video = h('video', { class: 'hls-video', attrs: { id: 'hls-video', playsinline: true, autoplay: true, muted: true, controls: true } });
    this.video.muted = true;
    this.banner = h('div', { class: 'hls-banner', attrs: { role: 'status', id: 'hls-banner' } });
    this.el = h('div', { class: 'hls-fallback', attrs: { hidden: true, id: 'hls-fallback' } }, this.banner, this.video);
  }

  // start plays url; reasonKey says why (i18n key).
  async start(url, reasonKey, t) {
    if (this.active || !url) return;
    this.active = true;
    this.el.hidden = false;
    this.banner.dataset.i18n = reasonKey;
    this.banner.textContent = t(reasonKey);
    this.#stop = await attachHls(this.video, url, { live: true });
    this.video.play?.().catch(() => {});
  }

  stop() {
    if (!this.active) return;
    this.active = false;
    this.el.hidden = true;
    this.#stop?.();
    this.#stop = null;
  }
}
