// One WebSocket to /rtc, speaking docs/protocol.md (version 1): request /
// reply matching by id, server events by type, and a ping every 15 s. It
// lives for one connection; reconnecting is the room's job (room.js).

export const PROTOCOL_VERSION = 1;
export const PING_INTERVAL_MS = 15000;
const PING_TIMEOUT_MS = 10000;
const REQUEST_TIMEOUT_MS = 15000;

// Close codes after which reconnecting would not help (protocol.md).
export const FINAL_CLOSE_CODES = new Set([1000, 4001, 4002, 4003, 4010, 4011, 4029]);

// SignalError is an `error` message answering one request.
export class SignalError extends Error {
  constructor(code, message, type, retryAfterMs = 0) {
    super(message || code);
    this.code = code;
    this.requestType = type;
    this.retryAfterMs = retryAfterMs || 0; // rate_limited (classroom.md)
  }
}

export function rtcURL(loc = window.location) {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/rtc`;
}

export class Signal {
  #ws = null;
  #nextId = 1;
  #pending = new Map(); // id → {resolve, reject, timer, type}
  #handlers = new Map(); // type → Set<fn(payload, msg)>
  #closeHandlers = new Set();
  #pingTimer = 0;
  #closed = false;

  constructor(url = rtcURL()) {
    this.url = url;
  }

  // open resolves when the socket is open, and rejects if it fails first.
  open() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.#ws = ws;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        this.#pingTimer = setInterval(() => this.#ping(), PING_INTERVAL_MS);
        resolve();
      };
      ws.onmessage = (ev) => this.#receive(ev.data);
      ws.onerror = () => { if (!opened) reject(new Error('websocket failed')); };
      ws.onclose = (ev) => {
        if (!opened) reject(new Error(`websocket closed (${ev.code})`));
        this.#finish(ev.code, ev.reason);
      };
    });
  }

  // on registers fn for server messages of one type ('*' for all).
  on(type, fn) {
    if (!this.#handlers.has(type)) this.#handlers.set(type, new Set());
    this.#handlers.get(type).add(fn);
    return () => this.#handlers.get(type).delete(fn);
  }

  // onClose registers fn(code, reason), called once when the socket closes.
  onClose(fn) { this.#closeHandlers.add(fn); }

  get isOpen() { return this.#ws?.readyState === WebSocket.OPEN; }

  // send sends a message that expects no reply.
  send(type, payload = {}) {
    return this.#write({ v: PROTOCOL_VERSION, type, payload });
  }

  // request sends a message with a fresh id and resolves with the reply
  // ({type, payload}); an `error` reply rejects with a SignalError.
  request(type, payload = {}, timeoutMs = REQUEST_TIMEOUT_MS) {
    const id = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SignalError('timeout', `${type}: no reply`, type));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer, type });
      if (!this.#write({ v: PROTOCOL_VERSION, type, id, payload })) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new SignalError('closed', 'not connected', type));
      }
    });
  }

  close(code = 1000, reason = '') {
    if (this.#ws && this.#ws.readyState <= WebSocket.OPEN) this.#ws.close(code, reason);
    this.#finish(code, reason);
  }

  #write(msg) {
    if (!this.isOpen) return false;
    this.#ws.send(JSON.stringify(msg));
    return true;
  }

  async #ping() {
    try {
      await this.request('ping', {}, PING_TIMEOUT_MS);
    } catch (err) {
      if (err.code === 'timeout' && this.isOpen) {
        // The server is gone or the path is dead: treat as a drop.
        this.#ws.close(4000, 'ping timeout');
        this.#finish(1006, 'ping timeout');
      }
    }
  }

  #receive(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn('lectern: non-JSON frame from server');
      return;
    }
    if (!msg || typeof msg.type !== 'string') return;
    const payload = msg.payload || {};
    if (msg.id != null && this.#pending.has(String(msg.id))) {
      const p = this.#pending.get(String(msg.id));
      this.#pending.delete(String(msg.id));
      clearTimeout(p.timer);
      if (msg.type === 'error') p.reject(new SignalError(payload.code, payload.message, p.type, payload.retryAfterMs));
      else p.resolve({ type: msg.type, payload });
      return;
    }
    for (const key of [msg.type, '*']) {
      for (const fn of this.#handlers.get(key) || []) {
        try {
          fn(payload, msg);
        } catch (err) {
          console.error('lectern: handler for', msg.type, err);
        }
      }
    }
  }

  #finish(code, reason) {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pingTimer);
    for (const [, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new SignalError('closed', 'connection closed', p.type));
    }
    this.#pending.clear();
    for (const fn of this.#closeHandlers) fn(code, reason);
  }
}
