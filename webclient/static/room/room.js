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
import { Seat } from './seat.js';
import { ModTools } from './modtools.js';
import { ask } from './prompt.js';
import { AdaptiveStream } from './adaptive.js';
import { QualityOverlays } from './quality.js';
import { NetQuality } from './netquality.js';
import { Speakers, markSpeaker } from './speakers.js';
import * as media from './media.js';
import { HLSMode } from './hlsroom.js';
import { setPreferH264 } from './hlscodec.js';

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10000;
// Why a connection ended for good: by close code, and more precisely by
// the close reason or error code the server gives (docs/protocol.md).
const END_REASON = {
  1000: 'ended.lesson', 4001: 'ended.token', 4002: 'ended.elsewhere', 4003: 'ended.removed',
  4010: 'ended.accessEnded', 4011: 'ended.lesson', 4029: 'ended.tooMany',
};
const REASON_KEY = {
  payment_required: 'ended.accessEnded', not_a_member: 'ended.courseRemoved', account_disabled: 'ended.disabled',
  banned: 'ended.banned', removed: 'ended.removed', lesson_ended: 'ended.lesson', too_many_sessions: 'ended.tooMany',
  role_changed: 'ended.roleChanged', unauthenticated: 'ended.token', locked: 'ended.locked',
};
const MODERATOR = new Set(['teacher', 'assistant']);

export function mountRoom(root, { lessonId, token, h264 }) {
  // A token link (--dev) says itself whether to publish H.264 (h264=1),
  // as the join endpoint does for course-page joins.
  if (token) setPreferH264(h264);
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
  renewTimer = 0;
  // On several nodes (docs/protocol.md, close code 4012) the join token
  // names the node serving the lesson; each reconnection asks again, so a
  // lesson that moved (or a node that died) is followed.
  nodeURL = '';
  controls = null;
  lessonTitle = '';
  invitePrompt = null; // the open stage invitation, if any
  unmutePrompt = null;
  speakers = null; // Speakers from the last `speakers` message

  constructor(root, lessonId, token) {
    this.root = root;
    this.lessonId = lessonId;
    this.token = token;
    // Simulcast and adaptive quality (docs/protocol.md): every received
    // video reports its size and visibility, shows the server's verdict on
    // its quality, and is outlined while its owner speaks.
    this.adaptive = new AdaptiveStream((settings) => this.session?.trackSettings(settings));
    this.quality = new QualityOverlays();
    this.netQuality = new NetQuality();
    const attachVideo = (box, video, item) => this.attachVideo(box, video, item);
    this.stage = new Stage({ attach: attachVideo, layoutChanged: () => this.adaptive.refresh() });
    const act = (type, p) => this.act(type, p);
    this.panels = new Panels({
      request: (type, p) => this.session.request(type, p),
      send: (type, p) => this.session.send(type, p),
      act,
      self: () => this.self,
      participants: () => this.participants,
      lessonId: () => this.lessonId,
      showError: (err) => this.showError(err),
      attachVideo,
      layoutChanged: () => this.adaptive.refresh(),
      t,
    });
    this.seat = new Seat({ session: () => this.session, act, onChange: () => this.render() });
    this.modTools = new ModTools({ act });
    this.hlsMode = new HLSMode({ t });
    this.status = h('span', { class: 'status', attrs: { id: 'status', 'data-status': 'connecting', role: 'status' } });
    this.title = h('h1', { class: 'room-title', text: lessonId });
    this.lessonStatus = h('span', { class: 'badge', attrs: { id: 'lesson-status', hidden: true } });
    this.leaveBtn = h('button', {
      class: 'btn btn-danger', attrs: { type: 'button', id: 'leave' }, on: { click: () => this.leave() },
    }, icon('leave'), h('span', { i18n: 'room.leave' }));
    this.controlSlot = h('div', { class: 'control-slot' });
    this.endCard = h('div', { class: 'end-card', attrs: { hidden: true, id: 'end-card' } });
    this.el = h('div', { class: 'room', attrs: { 'data-view': 'pending' } },
      h('header', { class: 'room-bar' },
        brand(), h('div', { class: 'room-heading' }, this.title, this.lessonStatus, this.status, this.netQuality.el),
        h('div', { class: 'room-bar-end' }, langSwitch(), this.hlsMode.button, this.modTools.el, this.leaveBtn)),
      h('main', { class: 'room-main' },
        h('div', { class: 'stage-wrap' }, this.stage.el, this.hlsMode.el, this.endCard),
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
        const j = await joinToken(this.lessonId);
        this.token = j?.token || '';
        this.nodeURL = j?.node_url || '';
        this.lessonTitle = j?.lesson?.title || '';
        this.hlsMode.setURL(j?.hls_url);
        setPreferH264(j?.prefer_h264);
        if (this.lessonTitle) this.title.textContent = this.lessonTitle;
        this.setLessonStatus(j?.lesson?.status);
        this.scheduleRenewal(j);
      } catch (err) {
        const status = err instanceof APIError ? err.status : 0;
        const key = REASON_KEY[err?.code] && err.code !== 'payment_required'
          ? REASON_KEY[err.code]
          : { 401: 'ended.signIn', 402: 'ended.payment', 403: 'ended.notMember', 404: 'ended.notFound', 409: 'ended.lesson' }[status] || 'ended.noToken';
        if (status === 401) {
          this.end(key, `/signin?next=${encodeURIComponent(location.pathname)}`, 'nav.signIn');
          return;
        }
        // Refused: name the lesson, not its ID, and point at the course
        // page, where the visitor can enrol or buy.
        const lesson = await fetch(`/api/v1/lessons/${encodeURIComponent(this.lessonId)}`, { headers: { Accept: 'application/json' } })
          .then((r) => (r.ok ? r.json() : null)).catch(() => null);
        if (lesson?.title) this.title.textContent = lesson.title;
        else tr(this.title, 'room.lesson');
        const toCourse = (status === 402 || status === 403) && lesson?.course_id;
        this.end(key, toCourse ? `/courses/${encodeURIComponent(lesson.course_id)}` : null, toCourse ? 'room.toCourse' : null);
        return;
      }
    }
    if (!this.hlsMode.url && this.token) this.hlsMode.setURL(`/hls/${encodeURIComponent(this.lessonId)}/index.m3u8?token=${encodeURIComponent(this.token)}`);
    this.connect();
  }

  // Join tokens are short-lived (docs/protocol.md): while the room is
  // open, a fresh one is fetched at renew_after, which asks the access
  // policy again. A refusal ends the room with its reason.
  scheduleRenewal(j) {
    clearTimeout(this.renewTimer);
    if (!j?.renew_after || this.ended) return;
    const ms = Math.max(5000, Date.parse(j.renew_after) - Date.now());
    this.renewTimer = setTimeout(() => this.renew(), ms);
  }

  async renew() {
    if (this.ended) return;
    try {
      const j = await joinToken(this.lessonId);
      this.token = j.token;
      this.scheduleRenewal(j);
    } catch (err) {
      if (err instanceof APIError && [401, 402, 403, 404, 409].includes(err.status)) {
        this.session?.drop();
        this.end(REASON_KEY[err.code] || 'ended.noToken');
        return;
      }
      this.renewTimer = setTimeout(() => this.renew(), 15000); // network trouble: try again
    }
  }

  // setLessonStatus shows the lesson's status (scheduled, live, ended).
  setLessonStatus(status) {
    if (!status) return;
    this.lessonStatus.dataset.status = status;
    this.lessonStatus.className = `badge status-${status}`;
    this.lessonStatus.dataset.i18n = `lesson.status.${status}`;
    this.lessonStatus.textContent = t(`lesson.status.${status}`);
    this.lessonStatus.hidden = false;
  }

  // reroute fetches a fresh join token before a reconnection on several
  // nodes: its node_url names the lesson's node now. It reports whether
  // to go on connecting.
  async reroute() {
    try {
      const j = await joinToken(this.lessonId);
      this.token = j.token;
      this.nodeURL = j.node_url || '';
      this.scheduleRenewal(j);
      return true;
    } catch (err) {
      if (err instanceof APIError && [401, 402, 403, 404, 409].includes(err.status)) {
        this.end(REASON_KEY[err.code] || 'ended.noToken');
        return false;
      }
      return true; // network trouble: the connection attempt retries
    }
  }

  // connect starts a new session and joins.
  async connect() {
    this.reconnectTimer = 0;
    this.setStatus(this.attempt === 0 && !this.self ? 'connecting' : 'reconnecting');
    if (this.nodeURL && this.attempt > 0 && !(await this.reroute())) return;
    if (this.ended) return;
    const session = new Session({
      url: this.nodeURL ? rtcURL(new URL(this.nodeURL)) : rtcURL(),
      token: this.token,
      handlers: {
        onEvent: (type, p) => session === this.session && this.onEvent(type, p),
        onTracks: (list) => {
          if (session !== this.session) return;
          this.received = list;
          if (list.length) this.hlsMode.expectMedia();
          this.render();
        },
        onClose: (code, reason) => this.onClose(session, code, reason),
        onMediaState: (which, state) => {
          if (session !== this.session) return;
          this.hlsMode.onMediaState(which, state);
          if (state !== 'failed' || (which === 'subscribe' && this.hlsMode.active)) return;
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
      if (err instanceof SignalError && (err.code === 'unauthorized' || err.code === 'forbidden' || REASON_KEY[err.code])) {
        this.end(REASON_KEY[err.code] || 'ended.token');
        session.drop();
        return;
      }
      if (err instanceof SignalError && err.code !== 'moved') this.showError(err);
      if (session.signal.isOpen) session.drop(); // onClose schedules the retry
    }
  }

  onClose(session, code, reason) {
    if (session !== this.session || this.ended) return;
    this.received = [];
    this.netQuality.reset();
    this.render();
    if (FINAL_CLOSE_CODES.has(code)) {
      this.end(REASON_KEY[reason] || END_REASON[code]);
      return;
    }
    this.attempt++;
    if (code === 4012 && this.attempt === 1) { // moved: ask for the lesson's node at once
      this.setStatus('reconnecting');
      this.reconnectTimer = setTimeout(() => this.connect(), 100);
      return;
    }
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
    // Presence: the signalling list, completed by the classroom's snapshot
    // (docs/classroom.md: hand, stage, mute, reconnecting).
    const snap = joined.classroom || null;
    this.self = { ...joined.participant, ...(snap?.you || {}), permissions: joined.participant.permissions };
    this.participants = new Map((joined.participants || []).map((p) => [p.id, p]));
    for (const p of snap?.participants || []) this.participants.set(p.id, { ...this.participants.get(p.id), ...p });
    this.participants.set(this.self.id, { ...this.participants.get(this.self.id), ...this.self });
    // A new session's server knows nothing of our sizes or its old layers.
    this.quality.forget();
    this.adaptive.reset();
    this.speakers = null;
    this.setLessonStatus(joined.lessonStatus);
    const title = this.lessonTitle || joined.lesson || this.lessonId;
    this.title.textContent = title;
    document.title = `${title} · Lectern`;
    const teacher = !!this.self.permissions?.publish;
    this.el.dataset.view = teacher ? 'teacher' : 'student';
    this.el.dataset.role = this.self.role || '';
    this.hlsMode.setStudent(!teacher);
    this.modTools.setSelf(this.self);
    this.panels.onJoined(joined);
    if (snap) {
      this.panels.onEvent('lesson.snapshot', snap);
      this.modTools.onEvent('lesson.snapshot', snap);
    }
    if (teacher && !this.controls) await this.setupTeacher();
    if (!this.panels.hands.el.isConnected) this.controlSlot.append(this.panels.hands.el);
    if (!this.seat.el.isConnected) this.controlSlot.append(this.seat.el);
    if (snap?.self?.invite && snap.self.invite.participantId === this.self.id) this.showInvite(snap.self.invite);
    if (this.self.onStage && !teacher) this.seat.start();
    else if (this.seat.active) this.seat.stop();
    if (snap?.self?.unmuteRequested) this.showUnmuteRequest();
    this.stage.setPlaceholder(teacher ? 'stage.cameraOff' : 'stage.waiting');
    this.setStatus(teacher && !this.live ? 'ready' : 'live');
    this.render();
    if (teacher && this.live) await this.publish();
  }

  onEvent(type, p) {
    const me = this.self?.id;
    switch (type) {
      case 'participant.joined':
      case 'participant.updated': {
        // protocol.md nests the participant; classroom.md sends it bare.
        const who = p.participant || (p.id ? p : null);
        if (who) this.participants.set(who.id, { ...this.participants.get(who.id), ...who });
        if (who && who.id === me) this.self = { ...this.self, ...who, permissions: this.self.permissions };
        this.render();
        break;
      }
      case 'participant.left':
        this.participants.delete(p.participantId);
        this.render();
        break;
      case 'participant.speaking': {
        // A small delta (docs/protocol.md): only the flag changes, so the
        // room is not rendered again; the participant list marks it.
        const who = this.participants.get(p.participantId);
        if (who) this.participants.set(who.id, { ...who, speaking: !!p.speaking });
        break;
      }
      case 'hand.raised':
      case 'hand.lowered': {
        // No participant.updated follows a hand: keep the list's flag here.
        const who = this.participants.get(p.participantId);
        if (who) this.participants.set(who.id, { ...who, handRaised: type === 'hand.raised' });
        break;
      }
      case 'error':
        this.showError(new SignalError(p.code, p.message, '', p.retryAfterMs));
        break;
      case 'track.quality':
        this.quality.update(p);
        break;
      case 'track.unpublished':
        this.quality.forget(p.trackId);
        this.adaptive.forget(p.trackId);
        break;
      case 'subscriber.stats':
        this.netQuality.update(p);
        break;
      case 'speakers':
        this.speakers = new Speakers(p);
        for (const slot of [this.stage.main, this.stage.pip]) markSpeaker(slot.el, slot.el.dataset.participant, this.speakers);
        break;
      case 'participant.removed':
        this.end(p.banned ? 'ended.banned' : 'ended.removed');
        break;
      case 'lesson.status':
        this.setLessonStatus(p.status);
        break;
      case 'lesson.ended':
        this.setLessonStatus('ended');
        this.end('ended.lesson');
        break;
      case 'recording.stopped':
        toast('recording.stopped', { detail: p.message, ms: 15000 });
        break;
      case 'stage.invited':
        if (p.participantId === me) this.showInvite(p);
        break;
      case 'stage.declined':
        if (p.participantId === me) {
          this.invitePrompt?.close();
          if (p.reason === 'expired') toast('stage.inviteExpired', { kind: 'info', ms: 5000 });
          if (p.reason === 'cancelled') toast('stage.inviteCancelled', { kind: 'info', ms: 5000 });
        }
        break;
      case 'stage.joined':
        if (p.participantId === me && !this.controls) this.seat.start();
        break;
      case 'stage.left':
        if (p.participantId === me) {
          this.unmutePrompt?.close();
          if (this.seat.active) this.seat.stop();
          if (p.reason === 'removed' || p.reason === 'removedAll') toast('stage.removed', { kind: 'info', ms: 5000 });
        }
        break;
      case 'media.muted':
        if (this.controls) {
          this.local.micOn = false;
          if (this.local.microphone) this.local.microphone.enabled = false;
          this.render();
        } else {
          this.seat.setMic(false);
        }
        toast('media.mutedBy', { kind: 'info', ms: 6000 });
        break;
      case 'media.cameraStopped':
        if (this.controls) {
          if (this.local.camera) this.toggleCamera();
        } else {
          this.seat.cameraStopped();
        }
        toast('media.cameraStoppedBy', { kind: 'info', ms: 6000 });
        break;
      case 'media.unmuteRequested':
        this.showUnmuteRequest();
        break;
      default:
    }
    this.modTools.onEvent(type, p);
    this.panels.onEvent(type, p);
  }

  // act sends a classroom command (docs/classroom.md) and resolves true on
  // `ok`; a refusal is shown to the user and resolves false.
  async act(type, payload) {
    try {
      if (!this.session) throw new SignalError('closed', 'not connected', type);
      await this.session.request(type, payload);
      return true;
    } catch (err) {
      this.showError(err);
      return false;
    }
  }

  // --- prompts ---

  showInvite(inv) {
    if (this.invitePrompt) return;
    const by = this.participants.get(inv.by)?.name || t('role.teacher');
    const prompt = ask({
      id: 'stage-invite', iconName: 'star', titleKey: 'stage.inviteTitle', textKey: 'stage.inviteText',
      vars: { name: by }, yesKey: 'stage.accept', noKey: 'stage.decline', expiresAt: inv.expiresAt,
    });
    this.invitePrompt = prompt;
    prompt.result.then((answer) => {
      this.invitePrompt = null;
      if (answer === 'yes') this.act('stage.accept', {});
      else if (answer === 'no') this.act('stage.decline', {});
    });
  }

  showUnmuteRequest() {
    if (this.unmutePrompt) return;
    const prompt = ask({
      id: 'unmute-request', iconName: 'mic', titleKey: 'media.unmuteTitle', textKey: 'media.unmuteText',
      yesKey: 'media.unmuteYes', noKey: 'media.unmuteNo',
    });
    this.unmutePrompt = prompt;
    prompt.result.then(async (answer) => {
      this.unmutePrompt = null;
      if (answer !== 'yes' || !(await this.act('media.state', { muted: false }))) return;
      if (this.controls) {
        this.local.micOn = true;
        if (this.local.microphone) this.local.microphone.enabled = true;
        this.render();
      } else {
        this.seat.setMic(true);
      }
    });
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

  async toggleMic() {
    const want = !this.local.micOn;
    // Tell the room (participant list); a moderator's mute is lifted only
    // after they ask, and the server says so.
    if (this.session?.joined && !(await this.act('media.state', { muted: !want }))) return;
    this.local.micOn = want;
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

  // attachVideo follows one video box (a stage slot or a strip tile) as it
  // shows item ({track, trackId, source, participantId}) or nothing: its
  // size goes to the server, its quality and speaker marks come back.
  attachVideo(box, video, item) {
    const trackId = item?.trackId || '';
    this.adaptive.watch(video, trackId);
    this.quality.attach(box, trackId, item?.source);
    box.dataset.participant = item?.participantId || '';
    markSpeaker(box, item?.participantId, this.speakers);
  }

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
      const mine = this.seat.preview(this.self?.name || '');
      if (mine) mine.participantId = this.self?.id;
      this.panels.strip.setTiles([mine, ...fromServer.others].filter(Boolean));
    }
    this.stage.setAudio(fromServer.audio);
    this.adaptive.refresh(); // a slot may have been hidden or resized
  }

  setStatus(key) {
    this.status.dataset.status = key;
    tr(this.status, `status.${key}`);
  }

  showError(err) {
    if (err instanceof SignalError && err.code === 'rate_limited' && err.retryAfterMs > 0) {
      toast('error.rateLimitedWait', { vars: { s: Math.ceil(err.retryAfterMs / 1000) }, ms: 5000 });
    } else if (err instanceof SignalError) {
      toast(`error.${err.code}`, { detail: err.message !== err.code ? err.message : '' });
    } else {
      toast('error.internal', { detail: err?.message || String(err) });
    }
  }

  // end shows the end card: the reason and one action, a link (href with
  // the label hrefKey) or Rejoin.
  end(key, href, hrefKey = 'nav.signIn') {
    this.ended = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.renewTimer);
    this.endCard.dataset.reason = key;
    this.setStatus('ended');
    this.invitePrompt?.close();
    this.unmutePrompt?.close();
    if (this.seat.active) this.seat.stop();
    this.modTools.el.hidden = true;
    this.stopLocal();
    this.hlsMode.stop();
    this.stage.clear();
    this.stage.placeholder.hidden = true; // no "Connecting…" behind the card
    this.endCard.replaceChildren(
      h('p', { class: 'end-text', i18n: key }),
      href
        ? h('a', { class: 'btn btn-primary', i18n: hrefKey, attrs: { href, id: 'end-action' } })
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
