// A Session is one connection to a lesson: the WebSocket, the join, and the
// two peer connections. It ends when the socket closes; Room (room.js)
// decides whether to start another.
import { Signal } from './signal.js';
import { Publisher } from './publisher.js';
import { Subscriber } from './subscriber.js';

export class Session {
  #publisher = null;
  #subscriber = null;

  // handlers: {onEvent(type, payload), onTracks(list), onClose(code, reason),
  //            onMediaState(kind, state)}
  constructor({ url, token, handlers }) {
    this.token = token;
    this.handlers = handlers;
    this.signal = new Signal(url);
    this.joined = null;
  }

  // start opens the socket and joins; it resolves with the `joined` payload.
  async start() {
    const s = this.signal;
    s.onClose((code, reason) => {
      this.#closePeers();
      this.handlers.onClose?.(code, reason);
    });
    s.on('subscribe.offer', (p) => this.#subscriberFor().offer(p));
    s.on('trickle', (p) => {
      const pc = p.target === 'publish' ? this.#publisher : this.#subscriberFor();
      pc?.trickle.remote(p.candidate);
    });
    s.on('track.unpublished', (p) => this.#subscriber?.forget(p.trackId));
    // Dynacast (docs/protocol.md): switch our unwatched encodings off.
    s.on('publisher.layers', (p) => { this.#publisher?.setLayers(p); });
    s.on('*', (payload, msg) => this.handlers.onEvent?.(msg.type, payload));
    await s.open();
    const { payload } = await s.request('join', { token: this.token });
    this.joined = payload;
    return payload;
  }

  get iceServers() { return this.joined?.iceServers || []; }

  // publish makes the sent tracks match want ({microphone, camera, screen}).
  async publish(want) {
    if (!this.#publisher) {
      this.#publisher = new Publisher({
        signal: this.signal,
        iceServers: this.iceServers,
        onConnectionState: (st) => this.handlers.onMediaState?.('publish', st),
      });
    }
    await this.#publisher.sync(want);
  }

  get publishing() { return this.#publisher != null; }

  // stopPublishing closes the publish connection (a student leaving the
  // stage: the server has already dropped its side). The next publish()
  // starts a fresh one.
  stopPublishing() {
    this.#publisher?.close();
    this.#publisher = null;
  }

  // trackSettings tells the server how a received video is shown
  // (track.settings, docs/protocol.md); refusals are only logged, as the
  // track may have just gone away.
  trackSettings(settings) {
    if (!this.joined || !this.signal.isOpen) return;
    this.signal.request('track.settings', settings).catch((err) => {
      if (err.code !== 'closed') console.debug('lectern: track.settings', err.code);
    });
  }

  request(type, payload) { return this.signal.request(type, payload); }
  send(type, payload) { return this.signal.send(type, payload); }

  // leave says goodbye; the server closes the socket with 1000.
  leave() {
    this.signal.send('leave', {});
    setTimeout(() => this.signal.close(1000, 'leave'), 500);
    this.#closePeers();
  }

  // drop ends the session without a goodbye (used before reconnecting).
  drop() {
    this.signal.close(4000, 'client reconnect');
    this.#closePeers();
  }

  #subscriberFor() {
    if (!this.#subscriber) {
      this.#subscriber = new Subscriber({
        signal: this.signal,
        iceServers: this.iceServers,
        onTracks: (list) => this.handlers.onTracks?.(list),
        onConnectionState: (st) => this.handlers.onMediaState?.('subscribe', st),
      });
    }
    return this.#subscriber;
  }

  #closePeers() {
    this.#publisher?.close();
    this.#subscriber?.close();
    this.#publisher = null;
    if (this.#subscriber) {
      this.#subscriber = null;
      this.handlers.onTracks?.([]);
    }
  }
}
