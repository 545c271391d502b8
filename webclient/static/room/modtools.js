// Lesson-wide controls in the room bar, for moderators: lock the lesson
// (lesson.lock) and, for the teacher only, end it for everyone
// (lesson.end). Both follow `lesson.updated`.
import { h, tr, trAttr, icon } from '../lib/dom.js';
import { t } from '../i18n.js';

export class ModTools {
  locked = false;

  // act(type, payload) sends a classroom command, resolving true on `ok`.
  constructor({ act }) {
    this.lockLabel = h('span', { class: 'ctl-label' });
    this.lock = h('button', {
      class: 'btn btn-quiet', attrs: { type: 'button', id: 'lock-lesson', 'aria-pressed': 'false' },
      on: { click: () => act('lesson.lock', { locked: !this.locked }) },
    }, icon('unlock'), this.lockLabel);
    this.end = h('button', {
      class: 'btn btn-danger', attrs: { type: 'button', id: 'end-lesson', hidden: true },
      on: {
        click: () => {
          if (window.confirm(t('mod.endConfirm'))) act('lesson.end', {});
        },
      },
    }, icon('stop'), h('span', { class: 'ctl-label', i18n: 'mod.end' }));
    this.el = h('div', { class: 'modtools', attrs: { hidden: true } }, this.lock, this.end);
    this.render();
  }

  // setSelf shows the tools that self's role may use.
  setSelf(self) {
    const role = self?.role;
    this.el.hidden = role !== 'teacher' && role !== 'assistant';
    this.end.hidden = role !== 'teacher';
  }

  // onEvent follows the lesson's settings (lesson.updated, snapshot).
  onEvent(type, p) {
    if (type === 'lesson.updated' && 'locked' in p) this.locked = !!p.locked;
    else if (type === 'lesson.snapshot' && p.lesson) this.locked = !!p.lesson.locked;
    else return;
    this.render();
  }

  render() {
    this.lock.setAttribute('aria-pressed', String(this.locked));
    this.lock.classList.toggle('on', this.locked);
    this.lock.replaceChild(icon(this.locked ? 'lock' : 'unlock'), this.lock.firstChild);
    tr(this.lockLabel, this.locked ? 'mod.unlock' : 'mod.lock');
    trAttr(this.lock, 'title', this.locked ? 'mod.lockedHint' : 'mod.unlockedHint');
  }
}
