// Adaptive stream (docs/protocol.md, `track.settings`): tells the server
// how large each received video is drawn, in device pixels, and whether
// anyone can see it, so that the SFU sends the smallest simulcast layer
// that still looks sharp, and nothing to a hidden tile. Sizes come from a
// ResizeObserver, visibility from an IntersectionObserver, the page's
// visibilityState and the layout itself (a tile inside a [hidden] box, or
// not rendered at all). Reports are debounced per track.

export const SETTINGS_DEBOUNCE_MS = 300;

export class AdaptiveStream {
  #videos = new Map(); // <video> → server track id
  // Videos laid out but scrolled or clipped out of view. Only the
  // IntersectionObserver says so; a video that is not laid out at all
  // (display: none) is judged by its size instead, so that showing it
  // again counts as visible at once, before the observer catches up.
  #offscreen = new WeakSet();
  #sent = new Map(); // track id → key of the last settings sent
  #timers = new Map(); // track id → debounce timer
  #resize;
  #intersect;

  // send({trackId, width, height, visible}) reports one track.
  constructor(send) {
    this.send = send;
    this.#resize = new ResizeObserver((entries) => {
      for (const e of entries) this.#touchVideo(e.target);
    });
    this.#intersect = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const laidOut = e.boundingClientRect.width > 0 && e.boundingClientRect.height > 0;
        if (!e.isIntersecting && laidOut) this.#offscreen.add(e.target);
        else this.#offscreen.delete(e.target);
        this.#touchVideo(e.target);
      }
    });
    document.addEventListener('visibilitychange', () => this.refresh());
  }

  // watch makes video report trackId (a received track's server id); an
  // empty trackId stops reporting it (a local preview, or nothing shown).
  watch(video, trackId) {
    const old = this.#videos.get(video);
    if (old === (trackId || undefined)) return;
    if (old) {
      this.#videos.delete(video);
      this.#schedule(old); // maybe shown nowhere now
    }
    if (!trackId) {
      this.#resize.unobserve(video);
      this.#intersect.unobserve(video);
      this.#offscreen.delete(video);
      return;
    }
    this.#videos.set(video, trackId);
    if (!old) {
      this.#resize.observe(video);
      this.#intersect.observe(video);
    }
    this.#schedule(trackId);
  }

  // refresh re-measures every track: after the layout changed in a way the
  // observers may not notice, or the tab was hidden or shown.
  refresh() {
    for (const id of new Set(this.#videos.values())) this.#schedule(id);
  }

  // reset forgets what was sent: a new session's server knows nothing.
  reset() {
    this.#sent.clear();
    this.refresh();
  }

  // forget drops a track that is no longer received.
  forget(trackId) {
    clearTimeout(this.#timers.get(trackId));
    this.#timers.delete(trackId);
    this.#sent.delete(trackId);
  }

  #touchVideo(video) {
    const id = this.#videos.get(video);
    if (id) this.#schedule(id);
  }

  #schedule(trackId) {
    clearTimeout(this.#timers.get(trackId));
    this.#timers.set(trackId, setTimeout(() => {
      this.#timers.delete(trackId);
      this.#report(trackId);
    }, SETTINGS_DEBOUNCE_MS));
  }

  // measure returns how trackId is shown: the largest of its elements
  // (normally one) and whether any of them can be seen.
  measure(trackId) {
    const dpr = window.devicePixelRatio || 1;
    let width = 0;
    let height = 0;
    let visible = false;
    const pageShown = document.visibilityState !== 'hidden';
    for (const [video, id] of this.#videos) {
      if (id !== trackId || !video.isConnected) continue;
      const rect = video.getBoundingClientRect();
      const laidOut = rect.width > 0 && rect.height > 0 && !video.closest('[hidden]');
      if (!laidOut) {
        this.#offscreen.delete(video);
        continue;
      }
      width = Math.max(width, Math.round(rect.width * dpr));
      height = Math.max(height, Math.round(rect.height * dpr));
      if (pageShown && !this.#offscreen.has(video)) visible = true;
    }
    return { trackId, width, height, visible };
  }

  #report(trackId) {
    const s = this.measure(trackId);
    if (!s.visible && s.width === 0 && !this.#sent.has(trackId) && ![...this.#videos.values()].includes(trackId)) {
      return; // never reported and shown nowhere: nothing to take back
    }
    const key = `${s.width}x${s.height}:${s.visible}`;
    if (this.#sent.get(trackId) === key) return;
    this.#sent.set(trackId, key);
    this.send(s);
  }
}
