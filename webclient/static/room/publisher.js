// The publish RTCPeerConnection: the client offers, the server answers.
// Every change of what is sent goes through sync(), which makes the
// transceivers match the wanted tracks and renegotiates once.
import { msidsByMid } from './sdp.js';
import { Trickle } from './ice.js';
import { maybePreferH264 } from './hlscodec.js';

export const SOURCES = ['microphone', 'camera', 'screen'];

// sendEncodingsFor is the one place that decides how a source is encoded
// (docs/protocol.md): the camera as three simulcast encodings, rid q/h/f
// at a quarter, half and full size (the SFU maps them to layers 0/1/2 and
// the publisher.layers message switches them on and off); the screen share
// as one sharp encoding with a higher bitrate; audio as the browser likes.
export const CAMERA_LAYERS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150e3 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500e3 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1500e3 },
];
export const SCREEN_MAX_BITRATE = 2500e3;

export function sendEncodingsFor(source, track) {
  if (track?.kind !== 'video') return undefined;
  if (source === 'screen') return [{ maxBitrate: SCREEN_MAX_BITRATE, maxFramerate: 15 }];
  if (source === 'camera') return CAMERA_LAYERS.map((e) => ({ ...e }));
  return undefined;
}

export class Publisher {
  #entries = new Map(); // source → {tx, track, msid}
  #queue = Promise.resolve();
  #stream = new MediaStream(); // gives every sent track one msid stream id

  constructor({ signal, iceServers, onConnectionState }) {
    this.signal = signal;
    this.pc = new RTCPeerConnection({ iceServers: iceServers || [], bundlePolicy: 'max-bundle' });
    this.trickle = new Trickle(this.pc, 'publish', signal);
    this.pc.addEventListener('connectionstatechange', () => onConnectionState?.(this.pc.connectionState));
  }

  get connectionState() { return this.pc.connectionState; }

  // sync makes the sent tracks match want ({microphone, camera, screen}:
  // MediaStreamTrack or null). A track that goes away is unpublished first,
  // then the connection is renegotiated. Calls are serialized.
  sync(want) {
    const run = this.#queue.then(() => this.#sync(want));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #sync(want) {
    let changed = false;
    const removed = [];
    for (const source of SOURCES) {
      const track = want[source] || null;
      const entry = this.#entries.get(source);
      if (track && entry && entry.track === track) continue;
      if (track && entry && entry.track.kind === track.kind) {
        // Another device for the same source: no renegotiation needed.
        await entry.tx.sender.replaceTrack(track);
        entry.track = track;
        continue;
      }
      if (entry) {
        removed.push(entry);
        this.#entries.delete(source);
        changed = true;
      }
      if (track) {
        if (source === 'screen' && 'contentHint' in track) track.contentHint = 'detail';
        const init = { direction: 'sendonly', streams: [this.#stream] };
        const enc = sendEncodingsFor(source, track);
        if (enc) init.sendEncodings = enc;
        const tx = this.pc.addTransceiver(track, init);
        maybePreferH264(tx, track.kind);
        this.#entries.set(source, { tx, track, msid: null });
        changed = true;
      }
    }
    for (const entry of removed) {
      if (entry.msid) {
        try {
          await this.signal.request('unpublish', { trackId: entry.msid });
        } catch (err) {
          console.warn('lectern: unpublish', err);
        }
      }
      entry.tx.stop();
    }
    if (changed) await this.#negotiate();
  }

  async #negotiate() {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    const sdp = this.pc.localDescription.sdp;
    const msids = msidsByMid(sdp);
    const tracks = {};
    for (const [source, entry] of this.#entries) {
      entry.msid = msids.get(entry.tx.mid) || entry.track.id;
      tracks[entry.msid] = source;
    }
    const reply = this.signal.request('publish.offer', { sdp, tracks });
    this.trickle.descriptionSent();
    let payload;
    try {
      ({ payload } = await reply);
    } catch (err) {
      if (this.pc.signalingState === 'have-local-offer') {
        await this.pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
      }
      throw err;
    }
    await this.pc.setRemoteDescription({ type: 'answer', sdp: payload.sdp });
    await this.trickle.remoteDescriptionSet();
  }

  // published returns Map source → track id as named to the server.
  published() {
    const out = new Map();
    for (const [source, e] of this.#entries) if (e.msid) out.set(source, e.msid);
    return out;
  }

  // setLayers applies a publisher.layers message (dynacast): the encodings
  // nobody receives are switched off. clientTrackId is the track id of the
  // offer's a=msid line, kept as the entry's msid (a device switch replaces
  // the track but not that id).
  async setLayers({ clientTrackId, active }) {
    if (!clientTrackId || !active) return false;
    let entry = null;
    for (const e of this.#entries.values()) {
      if (e.msid === clientTrackId || e.track.id === clientTrackId) entry = e;
    }
    if (!entry || entry.tx.stopped) return false;
    const sender = entry.tx.sender;
    const params = sender.getParameters();
    let changed = false;
    for (const enc of params.encodings || []) {
      if (!enc.rid || !(enc.rid in active)) continue;
      const on = !!active[enc.rid];
      if (enc.active !== on) {
        enc.active = on;
        changed = true;
      }
    }
    if (!changed) return true;
    try {
      await sender.setParameters(params);
    } catch (err) {
      console.warn('lectern: publisher.layers', err);
      return false;
    }
    return true;
  }

  close() {
    this.pc.close();
  }
}
