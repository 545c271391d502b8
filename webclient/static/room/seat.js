// A student's seat on the stage (docs/classroom.md, stage.*): when the
// student accepts an invitation, the seat opens the camera and microphone
// and publishes them through the session's publisher (sources camera and
// microphone only); on `stage.left` it stops publishing and releases the
// devices. It also shows the student's own small controls: microphone,
// camera and "leave the stage".
import { h, tr, icon } from '../lib/dom.js';
import { toast } from '../lib/shell.js';
import { t } from '../i18n.js';
import * as media from './media.js';

function toggle(id, iconName, onClick) {
  const label = h('span', { class: 'ctl-label' });
  const btn = h('button', {
    class: 'ctl', attrs: { type: 'button', id, 'aria-pressed': 'true' }, on: { click: onClick },
  }, icon(iconName), label);
  btn.label = label;
  return btn;
}

export class Seat {
  camera = null;
  microphone = null;
  micOn = true;
  camOn = true;
  active = false; // on stage
  #starting = null;

  // session() returns the current Session; act(type, payload) sends a
  // classroom command and reports refusals; onChange() re-renders the room.
  constructor({ session, act, onChange }) {
    this.session = session;
    this.act = act;
    this.onChange = onChange;
    this.micBtn = toggle('seat-mic', 'mic', () => this.toggleMic());
    this.camBtn = toggle('seat-camera', 'camera', () => this.toggleCamera());
    this.leaveBtn = h('button', {
      class: 'btn btn-danger', attrs: { type: 'button', id: 'seat-leave' },
      on: { click: () => this.act('stage.leave', {}) },
    }, icon('stop'), h('span', { i18n: 'seat.leave' }));
    this.el = h('div', { class: 'seat', attrs: { hidden: true, id: 'seat', role: 'toolbar' }, aria: 'seat.label' },
      h('span', { class: 'seat-badge' }, icon('star'), h('span', { i18n: 'seat.onStage' })),
      this.micBtn, this.camBtn, this.leaveBtn);
  }

  // start takes the seat: opens the devices (once) and publishes them.
  // Called on stage.joined for oneself and after a rejoin while on stage.
  start() {
    this.active = true;
    if (!this.#starting) {
      this.#starting = this.#start().finally(() => { this.#starting = null; });
    }
    return this.#starting;
  }

  async #start() {
    this.render();
    const open = async (source) => {
      if (this[source] && this[source].readyState === 'live') return this[source];
      try {
        return source === 'camera' ? await media.openCamera() : await media.openMicrophone();
      } catch (err) {
        toast(media.mediaErrorKey(err), { vars: { what: t(`source.${source}`) }, detail: err.message });
        return null;
      }
    };
    const [camera, microphone] = await Promise.all([open('camera'), open('microphone')]);
    if (!this.active) { // left the stage meanwhile
      media.stopTrack(camera);
      media.stopTrack(microphone);
      return;
    }
    this.camera = camera;
    this.microphone = microphone;
    if (!camera && !microphone) {
      this.act('stage.leave', {});
      return;
    }
    if (microphone) microphone.enabled = this.micOn;
    if (camera) camera.enabled = this.camOn;
    this.onChange();
    const s = this.session();
    try {
      await s.publish({ camera, microphone });
    } catch (err) {
      if (s === this.session() && this.active) toast('seat.publishFailed', { detail: err.message });
    }
    if (!camera || !microphone) this.act('media.state', { cameraOff: !camera, muted: !microphone });
    this.render();
  }

  // stop leaves the seat: stops publishing and releases the devices.
  stop() {
    this.active = false;
    this.session()?.stopPublishing();
    media.stopTrack(this.camera);
    media.stopTrack(this.microphone);
    this.camera = null;
    this.microphone = null;
    this.micOn = true;
    this.camOn = true;
    this.render();
    this.onChange();
  }

  async toggleMic() {
    const want = !this.micOn;
    if (!(await this.act('media.state', { muted: !want }))) return;
    this.setMic(want);
  }

  async toggleCamera() {
    const want = !this.camOn;
    if (!(await this.act('media.state', { cameraOff: !want }))) return;
    this.camOn = want;
    if (this.camera) this.camera.enabled = want;
    this.render();
    this.onChange();
  }

  // setMic turns the microphone on or off locally (a moderator's mute, or
  // accepting a request to unmute).
  setMic(on) {
    this.micOn = on;
    if (this.microphone) this.microphone.enabled = on;
    this.render();
  }

  // cameraStopped: a moderator stopped the camera; the student may turn it
  // on again.
  cameraStopped() {
    this.camOn = false;
    if (this.camera) this.camera.enabled = false;
    this.render();
    this.onChange();
  }

  // preview is the student's own camera for the stage strip, or null.
  preview(name) {
    if (!this.active || !this.camera || !this.camOn) return null;
    return { track: this.camera, name, source: 'camera', mirror: true, self: true };
  }

  render() {
    this.el.hidden = !this.active;
    const set = (btn, on, onKey, offKey, disabled) => {
      btn.setAttribute('aria-pressed', String(on));
      btn.classList.toggle('off', !on);
      btn.disabled = disabled;
      tr(btn.label, on ? onKey : offKey);
    };
    set(this.micBtn, this.micOn, 'controls.micOn', 'controls.micOff', !this.microphone);
    set(this.camBtn, this.camOn, 'controls.cameraOn', 'controls.cameraOff', !this.camera);
  }
}
