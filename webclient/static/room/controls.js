// The teacher's control bar: camera, microphone and screen toggles, device
// choice and the go-live button. It only renders state and reports clicks;
// Room owns the media.
import { h, tr, icon, clear } from '../lib/dom.js';
import { t } from '../i18n.js';

function toggle(id, iconName, onClick) {
  const label = h('span', { class: 'ctl-label' });
  const btn = h('button', {
    class: 'ctl', attrs: { type: 'button', id, 'aria-pressed': 'false' }, on: { click: onClick },
  }, icon(iconName), label);
  btn.label = label;
  return btn;
}

export class Controls {
  // actions: {camera(), microphone(), screen(), live(), cameraDevice(id),
  //           microphoneDevice(id)}
  constructor(actions) {
    this.camera = toggle('toggle-camera', 'camera', () => actions.camera());
    this.microphone = toggle('toggle-mic', 'mic', () => actions.microphone());
    this.screen = toggle('toggle-screen', 'screen', () => actions.screen());
    this.cameraSelect = h('select', {
      class: 'device-select', aria: 'controls.cameraDevice', title: 'controls.cameraDevice',
      attrs: { id: 'camera-select' }, on: { change: () => actions.cameraDevice(this.cameraSelect.value) },
    });
    this.micSelect = h('select', {
      class: 'device-select', aria: 'controls.micDevice', title: 'controls.micDevice',
      attrs: { id: 'mic-select' }, on: { change: () => actions.microphoneDevice(this.micSelect.value) },
    });
    this.live = h('button', {
      class: 'btn btn-live', attrs: { type: 'button', id: 'go-live' }, on: { click: () => actions.live() },
    }, icon('live'), h('span', { class: 'ctl-label' }));
    this.el = h('div', { class: 'controls', attrs: { role: 'toolbar' }, aria: 'controls.label' },
      h('div', { class: 'controls-group' }, this.camera, this.microphone, this.screen),
      h('div', { class: 'controls-group devices' },
        h('label', { class: 'device' }, icon('camera'), this.cameraSelect),
        h('label', { class: 'device' }, icon('mic'), this.micSelect)),
      h('div', { class: 'controls-group end' }, this.live));
  }

  // render shows {camOn, micOn, sharing, live, busy, hasCamera, hasMic}.
  render(s) {
    const set = (btn, on, onKey, offKey, disabled, warnWhenOff = true) => {
      btn.setAttribute('aria-pressed', String(on));
      btn.classList.toggle('off', warnWhenOff && !on);
      btn.classList.toggle('on', !warnWhenOff && on);
      btn.disabled = !!disabled;
      tr(btn.label, on ? onKey : offKey);
    };
    set(this.camera, s.camOn, 'controls.cameraOn', 'controls.cameraOff', s.busy);
    set(this.microphone, s.micOn, 'controls.micOn', 'controls.micOff', s.busy || !s.hasMic);
    set(this.screen, s.sharing, 'controls.stopShare', 'controls.share', s.busy || !navigator.mediaDevices?.getDisplayMedia, false);
    this.live.classList.toggle('is-live', s.live);
    this.live.disabled = !!s.busy || !s.connected;
    this.live.dataset.live = String(s.live);
    tr(this.live.querySelector('.ctl-label'), s.live ? 'controls.endLive' : 'controls.goLive');
  }

  // setDevices fills the selects: devices {cameras, microphones}, the
  // chosen ids in current {camera, microphone}.
  setDevices(devices, current) {
    const fill = (sel, list, chosen, key) => {
      clear(sel);
      list.forEach((d, i) => sel.append(h('option', {
        text: d.label || t(key, { n: i + 1 }), attrs: { value: d.deviceId },
      })));
      if (chosen && list.some((d) => d.deviceId === chosen)) sel.value = chosen;
      sel.disabled = list.length === 0;
    };
    fill(this.cameraSelect, devices.cameras, current.camera, 'controls.cameraN');
    fill(this.micSelect, devices.microphones, current.microphone, 'controls.micN');
  }
}
