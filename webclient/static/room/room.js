// The lesson room at /lesson/{lessonId}: joins over /rtc, publishes (when
// the token allows) and shows what is received. Room owns the connection's
// life: a Session per connection, reconnecting with backoff when one drops.
import { h, tr, icon } from '../lib/dom.js';
import { brand, langSwitch, toast } from '../lib/shell.js';
import { joinToken, APIError } from '../lib/api.js';
import { t } from '../i18n.js';
import { Session } from './session.js';
import { FINAL_CLOSE_CODES, SignalError, rtcURL } from './signal.js';
import { Stage } from './stage.js';
import { Controls } from './controls.js';
import { Panels } from './panels/index.js';
import { studentLayout, teacherLayout } from './layout.js';
import * as media from './media.js';

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10000;
const END_REASON = { 1000: 'ended.lesson', 4001: 'ended.token', 4002: 'ended.elsewhere', 4003: 'ended.removed' };

export function mountRoom(root, { lessonId, token }) {
  const room = new Room(root, lessonId, token);
  room.start();
  return room;
}

class Room {
  session = null;
  self = null;
  participants = new Map(); // participant id → participant
  received = []; // [{info, track, mid}] from the subscriber
  local = { camera: null, microphone: null, screen: null, micOn: true, cameraId: '', micId: '' };
  live = false; // the teacher asked to be live
  busy = false; // a publish change is under way
  attempt = 0; // reconnection attempts since the last successful join
  ended = false;
  reconnectTimer = 0;
  controls = null;

  constructor(root, lessonId, token) {
    this.root = root;
    this.lessonId = lessonId;
    this.token = token;
    this.stage = new Stage();
    this.panels = new Panels({
      request: (type, p) => this.session.request(type, p),
      send: (type, p) => this.session.send(type, p),
      self: () => this.self,
      participants: () => this.participants,
      t,
    });
    this.status = h('span', { class: 'status', attrs: { id: 'status', 'data-status': 'connecting', role: 'status' } });
    this.title = h('h1', { class: 'room-title', text: lessonId });
    this.leaveBtn = h('button', {
      class: 'btn btn-danger', attrs: { type: 'button', id: 'leave' }, on: { click: () => this.leave() },
    }, icon('leave'), h('span', { i18n: 'room.leave' }));
    this.controlSlot = h('div', { class: 'control-slot' });
    this.endCard = h('div', { class: 'end-card', attrs: { hidden: true, id: 'end-card' } });
    this.el = h('div', { class: 'room', attrs: { 'data-view': 'pending' } },
      h('header', { class: 'room-bar' },
        brand(), h('div', { class: 'room-heading' }, this.title, this.status),
        h('div', { class: 'room-bar-end' }, langSwitch(), this.leaveBtn)),
      h('main', { class: 'room-main' },
        h('div', { class: 'stage-wrap' }, this.stage.el, this.endCard),
        this.panels.strip.el,
        this.controlSlot),
      this.panels.el);
    root.append(this.el);
    this.setStatus('connecting');
    window.addEventListener('pagehide', () => this.session?.send('leave', {}));
    window.addEventListener('online', () => { if (this.reconnectTimer) this.reconnectNow(); });
  }

  async start() {
    if (!this.token) {
      try {
        this.token = await joinToken(this.lessonId);
      } catch (err) {
        const status = err instanceof APIError ? err.status : 0;
        const key = { 401: 'ended.signIn', 402: 'ended.payment', 403: 'ended.notMember', 404: 'ended.notFound', 409: 'ended.lesson' }[status] || 'ended.noToken';
        this.end(key, status === 401 ? `/signin?next=${encodeURIComponent(location.pathname)}` : null);
        return;
      }
    }
    this.connect();
  }

  // connect starts a new session and joins.
  async connect() {
    this.reconnectTimer = 0;
    this.setStatus(this.attempt === 0 && !this.self ? 'connecting' : 'reconnecting');
    const session = new Session({
      url: rtcURL(),
      token: this.token,
      handlers: {
        onEvent: (type, p) => session === this.session && this.onEvent(type, p),
        onTracks: (list) => {
          if (session !== this.session) return;
          this.received = list;
          this.render();
        },
        onClose: (code) => this.onClose(session, code),
        onMediaState: (which, state) => {
          if (session !== this.session || state !== 'failed') return;
          console.warn(`lectern: ${which} connection failed, reconnecting`);
          session.drop();
        },
      },
    });
    this.session = session;
    try {
      const joined = await session.start();
      if (session !== this.session) return;
      this.attempt = 0;
      await this.onJoined(joined);
    } catch (err) {
      if (session !== this.session) return;
      if (err instanceof SignalError && (err.code === 'unauthorized' || err.code === 'forbidden')) {
        this.end('ended.token');
        session.drop();
        return;
      }
      if (err instanceof SignalError) this.showError(err);
      if (session.signal.isOpen) session.drop(); // onClose schedules the retry
    }
  }

  onClose(session, code) {
    if (session !== this.session || this.ended) return;
    this.received = [];
    this.render();
    if (FINAL_CLOSE_CODES.has(code)) {
      this.end(END_REASON[code]);
      return;
    }
    this.attempt++;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.attempt - 1));
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.setStatus('reconnecting');
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    clearTimeout(this.reconnectTimer);
    this.connect();
  }

  async onJoined(joined) {
    this.self = joined.participant;
    this.participants = new Map((joined.participants || []).map((p) => [p.id, p]));
    this.participants.set(this.self.id, this.self);
    this.title.textContent = joined.lesson || this.lessonId;
    document.title = `${joined.lesson || this.lessonId} · Lectern`;
    const teacher = !!this.self.permissions?.publish;
    this.el.dataset.view = teacher ? 'teacher' : 'student';
    this.el.dataset.role = this.self.role || '';
    this.panels.onJoined(joined);
    if (teacher && !this.controls) await this.setupTeacher();
    if (!this.panels.hands.el.isConnected) this.controlSlot.append(this.panels.hands.el);
    this.stage.setPlaceholder(teacher ? 'stage.cameraOff' : 'stage.waiting');
    this.setStatus(teacher && !this.live ? 'ready' : 'live');
    this.render();
    if (teacher && this.live) await this.publish();
  }

  onEvent(type, p) {
    switch (type) {
      case 'participant.joined':
      case 'participant.updated': {
        // protocol.md nests the participant; classroom.md sends it bare.
        const who = p.participant || (p.id ? p : null);
        if (who) this.participants.set(who.id, { ...this.participants.get(who.id), ...who });
        this.render();
        break;
      }
      case 'participant.left':
        this.participants.delete(p.participantId);
        this.render();
        break;
      case 'error':
        this.showError(new SignalError(p.code, p.message));
        break;
      case 'participant.removed':
        this.end('ended.removed');
        break;
      case 'lesson.ended':
        this.end('ended.lesson');
        break;
      default:
    }
    this.panels.onEvent(type, p);
  }

  // --- teacher ---

  async setupTeacher() {
    this.controls = new Controls({
      camera: () => this.toggleCamera(),
      microphone: () => this.toggleMic(),
      screen: () => this.toggleScreen(),
      live: () => this.toggleLive(),
      cameraDevice: (id) => this.switchDevice('camera', id),
      microphoneDevice: (id) => this.switchDevice('microphone', id),
    });
    this.controlSlot.append(this.controls.el);
    await Promise.all([this.openLocal('camera'), this.openLocal('microphone')]);
    await this.refreshDevices();
    navigator.mediaDevices.addEventListener?.('devicechange', () => this.refreshDevices());
    this.render();
  }

  async openLocal(source, deviceId) {
    try {
      const track = source === 'camera'
        ? await media.openCamera(deviceId || this.local.cameraId)
        : await media.openMicrophone(deviceId || this.local.micId);
      const old = this.local[source];
      this.local[source] = track;
      if (source === 'camera') this.local.cameraId = track.getSettings().deviceId || '';
      else {
        this.local.micId = track.getSettings().deviceId || '';
        track.enabled = this.local.micOn;
      }
      if (old && old !== track) media.stopTrack(old);
      return track;
    } catch (err) {
      toast(media.mediaErrorKey(err), { vars: { what: t(`source.${source}`) }, detail: err.message });
      return null;
    }
  }

  async refreshDevices() {
    try {
      const d = await media.listDevices();
      this.controls.setDevices(d, { camera: this.local.cameraId, microphone: this.local.micId });
    } catch (err) {
      console.warn('lectern: enumerateDevices', err);
    }
  }

  async toggleCamera() {
    if (this.local.camera) {
      media.stopTrack(this.local.camera);
      this.local.camera = null;
    } else {
      await this.openLocal('camera');
    }
    await this.publish();
  }

  toggleMic() {
    this.local.micOn = !this.local.micOn;
    if (this.local.microphone) this.local.microphone.enabled = this.local.micOn;
    this.render();
  }

  async toggleScreen() {
    if (this.local.screen) {
      this.stopScreen();
      return;
    }
    const track = await media.openScreen().catch((err) => {
      toast('media.failed', { vars: { what: t('source.screen') }, detail: err.message });
      return null;
    });
    if (!track) return;
    track.addEventListener('ended', () => { if (this.local.screen === track) this.stopScreen(); });
    this.local.screen = track;
    await this.publish();
  }

  async stopScreen() {
    media.stopTrack(this.local.screen);
    this.local.screen = null;
    await this.publish();
  }

  async switchDevice(source, deviceId) {
    if (source === 'camera' && !this.local.camera) {
      this.local.cameraId = deviceId; // used when the camera is turned on
      return;
    }
    await this.openLocal(source, deviceId);
    await this.publish();
  }

  async toggleLive() {
    this.live = !this.live;
    await this.publish();
  }

  // publish makes what the server receives match the local state: the
  // captured tracks while live, nothing otherwise.
  async publish() {
    this.render();
    const s = this.session;
    if (!s || !s.joined || !this.self?.permissions?.publish) return;
    if (!this.live && !s.publishing) return;
    const want = this.live ? { camera: this.local.camera, microphone: this.local.microphone, screen: this.local.screen } : {};
    this.busy = true;
    this.render();
    try {
      await s.publish(want);
      if (s === this.session) this.setStatus(this.live ? 'live' : 'ready');
    } catch (err) {
      if (s === this.session) this.showError(err);
    } finally {
      this.busy = false;
      this.render();
    }
  }

  // --- rendering ---

  render() {
    const nameOf = (pid) => this.participants.get(pid)?.name || '';
    const roleOf = (pid) => this.participants.get(pid)?.role || '';
    const fromServer = studentLayout(this.received, roleOf, nameOf);
    if (this.controls) {
      this.stage.show(teacherLayout(this.local, this.self?.name || '', t('stage.yourScreen')));
      this.panels.strip.setTiles([fromServer.main, fromServer.pip, ...fromServer.others].filter(Boolean));
      this.controls.render({
        camOn: !!this.local.camera,
        micOn: this.local.micOn,
        hasMic: !!this.local.microphone,
        sharing: !!this.local.screen,
        live: this.live,
        busy: this.busy,
        connected: !!this.session?.signal.isOpen && !!this.session.joined,
      });
      this.el.classList.toggle('is-live', this.live);
    } else {
      this.stage.show(fromServer);
      this.panels.strip.setTiles(fromServer.others);
    }
    this.stage.setAudio(fromServer.audio);
  }

  setStatus(key) {
    this.status.dataset.status = key;
    tr(this.status, `status.${key}`);
  }

  showError(err) {
    if (err instanceof SignalError) {
      toast(`error.${err.code}`, { detail: err.message !== err.code ? err.message : '' });
    } else {
      toast('error.internal', { detail: err?.message || String(err) });
    }
  }

  end(key, href) {
    this.ended = true;
    clearTimeout(this.reconnectTimer);
    this.setStatus('ended');
    this.stopLocal();
    this.stage.clear();
    this.endCard.replaceChildren(
      h('p', { class: 'end-text', i18n: key }),
      href
        ? h('a', { class: 'btn btn-primary', i18n: 'nav.signIn', attrs: { href } })
        : h('button', {
          class: 'btn btn-primary', i18n: 'room.rejoin', attrs: { type: 'button', id: 'rejoin' },
          on: { click: () => location.reload() },
        }));
    this.endCard.hidden = false;
    if (this.controls) this.controls.el.hidden = true;
  }

  leave() {
    if (this.ended) return;
    this.session?.leave();
    this.end('ended.left');
  }

  stopLocal() {
    for (const s of ['camera', 'microphone', 'screen']) {
      media.stopTrack(this.local[s]);
      this.local[s] = null;
    }
  }
}
