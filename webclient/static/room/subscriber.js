// The subscribe RTCPeerConnection: the server offers whenever tracks come or
// go, the client answers. Each offer's `tracks` maps a media section's mid
// to the track it carries; after every offer the receiving tracks are
// reconciled and reported as one list.
import { Trickle } from './ice.js';

export class Subscriber {
  #tracks = {}; // mid → track info of the offer being applied / last applied
  #queue = Promise.resolve();
  #current = new Map(); // track info id → {info, track, mid}

  // onTracks(list) gets every receiving track ([{info, track, mid}]) each
  // time the set changes.
  constructor({ signal, iceServers, onTracks, onConnectionState }) {
    this.signal = signal;
    this.onTracks = onTracks;
    this.pc = new RTCPeerConnection({ iceServers: iceServers || [], bundlePolicy: 'max-bundle' });
    this.trickle = new Trickle(this.pc, 'subscribe', signal);
    this.pc.addEventListener('track', (ev) => {
      const info = this.#tracks[ev.transceiver.mid];
      if (!info) {
        console.warn('lectern: track on unknown mid', ev.transceiver.mid);
        return;
      }
      this.#reconcile();
    });
    this.pc.addEventListener('connectionstatechange', () => onConnectionState?.(this.pc.connectionState));
  }

  // offer applies a subscribe.offer and sends the answer. Offers are applied
  // in order.
  offer(payload) {
    const run = this.#queue.then(() => this.#offer(payload));
    this.#queue = run.catch((err) => console.error('lectern: subscribe offer', err));
    return run;
  }

  async #offer({ sdp, tracks }) {
    this.#tracks = tracks || {};
    await this.pc.setRemoteDescription({ type: 'offer', sdp });
    await this.trickle.remoteDescriptionSet();
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    this.signal.send('subscribe.answer', { sdp: this.pc.localDescription.sdp });
    this.trickle.descriptionSent();
    this.#reconcile();
  }

  // trackInfo returns the info of the track received on mid.
  trackInfo(mid) { return this.#tracks[mid]; }

  #reconcile() {
    const next = new Map();
    for (const tx of this.pc.getTransceivers()) {
      if (tx.mid == null || tx.stopped) continue;
      const info = this.#tracks[tx.mid];
      if (!info) continue;
      if (tx.currentDirection === 'inactive' || tx.currentDirection === 'sendonly') continue;
      if (!tx.receiver.track || tx.receiver.track.readyState === 'ended') continue;
      next.set(info.id, { info, track: tx.receiver.track, mid: tx.mid });
    }
    let same = next.size === this.#current.size;
    if (same) {
      for (const [id, v] of next) {
        const old = this.#current.get(id);
        if (!old || old.track !== v.track) { same = false; break; }
      }
    }
    this.#current = next;
    if (!same) this.onTracks?.([...next.values()]);
  }

  // forget drops a track the server said is unpublished, before the next
  // offer removes its section.
  forget(trackId) {
    if (!this.#current.delete(trackId)) return;
    for (const [mid, info] of Object.entries(this.#tracks)) if (info.id === trackId) delete this.#tracks[mid];
    this.onTracks?.([...this.#current.values()]);
  }

  close() {
    this.pc.close();
  }
}
