// The course landing page's head (docs/api.md, "Courses"): a "live now"
// banner, the next lesson, a syllabus summary, and the one call to action
// that fits the visitor: sign in, buy, enrol, join the live lesson, the
// next lesson's time, or watch the last replay. The teacher's lesson
// tools (edit, reschedule, cancel) live here too. Strings in zh-CN and en.
import { h } from '../lib/dom.js';
import { showAPIError } from '../lib/shell.js';
import { api, putBytes } from '../lib/api.js';
import { addStrings, lang, t } from '../i18n.js';

const enc = encodeURIComponent;

addStrings({
  en: {
    'landing.liveNow': 'Live now',
    'landing.liveLesson': 'Live now: {title}',
    'landing.next': 'Next lesson: {title}, {when}',
    'landing.noNext': 'No lesson is scheduled yet.',
    'landing.syllabus': 'Syllabus',
    'landing.summary': 'Lessons: {count} · {hours} h {minutes} min in all',
    'landing.joinLive': 'Join the live lesson',
    'landing.joinNext': 'Join the next lesson',
    'landing.nextAt': 'Your next lesson is {when}.',
    'landing.replay': 'Watch the replay',
    'landing.signIn': 'Sign in to enrol',
    'landing.cardNext': 'Next: {when}',
    'landing.cover': 'Change the cover image',
    'lesson.cancelled': 'Cancelled',
    'lesson.cancelledBecause': 'Cancelled: {reason}',
    'lesson.edit': 'Edit',
    'lesson.save': 'Save',
    'lesson.cancel': 'Cancel lesson',
    'lesson.cancelReason': 'Reason (students see it in their email)',
    'lesson.cancelConfirm': 'Cancel this lesson and email every enrolled student',
    'lesson.keep': 'Keep it',
    'notice.lesson.cancelled': '“{lesson}” ({course}, {starts_at}) was cancelled.',
    'notice.lesson.moved': '“{lesson}” ({course}) moved from {was} to {starts_at}.',
    'notice.lesson.reminder.day': 'Reminder: “{lesson}” ({course}) starts {starts_at}.',
    'notice.lesson.reminder.soon': '“{lesson}” ({course}) starts soon, at {starts_at}.',
  },
  'zh-CN': {
    'landing.liveNow': '正在直播',
    'landing.liveLesson': '正在直播：{title}',
    'landing.next': '下一节课：{title}，{when}',
    'landing.noNext': '暂未安排课程。',
    'landing.syllabus': '课程大纲',
    'landing.summary': '共 {count} 节课 · 合计 {hours} 小时 {minutes} 分钟',
    'landing.joinLive': '进入直播课堂',
    'landing.joinNext': '进入下一节课',
    'landing.nextAt': '你的下一节课在 {when}。',
    'landing.replay': '观看回放',
    'landing.signIn': '登录后报名',
    'landing.cardNext': '下一节：{when}',
    'landing.cover': '更换封面图片',
    'lesson.cancelled': '已取消',
    'lesson.cancelledBecause': '已取消：{reason}',
    'lesson.edit': '编辑',
    'lesson.save': '保存',
    'lesson.cancel': '取消课程',
    'lesson.cancelReason': '原因（学员会在邮件中看到）',
    'lesson.cancelConfirm': '取消这节课并发邮件通知所有已报名学员',
    'lesson.keep': '不取消',
    'notice.lesson.cancelled': '“{lesson}”（{course}，{starts_at}）已取消。',
    'notice.lesson.moved': '“{lesson}”（{course}）已从 {was} 改到 {starts_at}。',
    'notice.lesson.reminder.day': '提醒：“{lesson}”（{course}）将于 {starts_at} 开始。',
    'notice.lesson.reminder.soon': '“{lesson}”（{course}）即将开始：{starts_at}。',
  },
});

// when writes an ISO time in the UI language and the reader's zone.
export function when(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

// JOIN_EARLY is how long before its start the next lesson's call to
// action becomes a Join button.
const JOIN_EARLY = 30 * 60e3;

// ctaFor decides the one call to action for the visitor's state:
//   manage   the teacher or an assistant (their tools are below)
//   buy      a paid course not owned (billing's purchase box, or its
//            sign-in link for a visitor)
//   signin   a visitor on a free course
//   enrol    a signed-in student not enrolled in a free course
//   live     a member with access while a lesson is live
//   join     a member with access, the next lesson starts within 30 min
//   next     a member with access, the next lesson is later
//   replay   a member with access, no lesson to come, one took place
//   none     nothing to do
export function ctaFor({ course, account, relation, paid, owned, canEnrol, lessons = [], now = Date.now() }) {
  if (relation === 'teacher' || relation === 'assistant') return { kind: 'manage' };
  if (paid && !owned) return { kind: 'buy' };
  if (!relation && !owned) {
    if (!account) return { kind: 'signin' };
    return canEnrol ? { kind: 'enrol' } : { kind: 'none' };
  }
  if (course.live_lesson) return { kind: 'live', lesson: course.live_lesson };
  const next = course.next_lesson;
  if (next) return { kind: Date.parse(next.starts_at) - now <= JOIN_EARLY ? 'join' : 'next', lesson: next };
  const held = lessons.filter((l) => l.status === 'ended' && !l.cancelled);
  if (held.length) return { kind: 'replay', lesson: held[held.length - 1] };
  return { kind: 'none' };
}

// ctaLink renders the member states of ctaFor (live, join, next,
// replay); the others are rendered by the course page (purchase box,
// enrol button, sign-in link).
export function ctaLink(cta) {
  const l = cta.lesson;
  switch (cta.kind) {
    case 'live':
      return h('a', { class: 'btn btn-live btn-cta', i18n: 'landing.joinLive', attrs: { href: `/lesson/${enc(l.id)}`, id: 'cta-join' } });
    case 'join':
      return h('a', { class: 'btn btn-primary btn-cta', i18n: 'landing.joinNext', attrs: { href: `/lesson/${enc(l.id)}`, id: 'cta-join' } });
    case 'next':
      return h('p', { class: 'cta-next', i18n: 'landing.nextAt', vars: { when: when(l.starts_at) }, attrs: { id: 'cta-next' } });
    case 'replay':
      return h('a', { class: 'btn btn-primary btn-cta', i18n: 'landing.replay', attrs: { href: `#lesson-${l.id}`, id: 'cta-replay' } });
    default:
      return null;
  }
}

// scheduleLine is the head's "live now" banner or next lesson.
export function scheduleLine(course) {
  if (course.live_lesson) {
    return h('p', { class: 'course-live', attrs: { id: 'course-live', 'data-lesson': course.live_lesson.id } },
      h('span', { class: 'badge status-live', i18n: 'landing.liveNow' }), ' ',
      h('strong', { text: course.live_lesson.title }));
  }
  if (course.next_lesson) {
    return h('p', { class: 'course-next', i18n: 'landing.next', vars: { title: course.next_lesson.title, when: when(course.next_lesson.starts_at) },
      attrs: { id: 'course-next', 'data-lesson': course.next_lesson.id } });
  }
  return h('p', { class: 'muted', i18n: 'landing.noNext', attrs: { id: 'course-next' } });
}

// cardSchedule is a catalogue card's "live now" badge or next lesson.
export function cardSchedule(course) {
  if (course.live_lesson) return h('span', { class: 'badge status-live', i18n: 'landing.liveNow', attrs: { 'data-live': course.live_lesson.id } });
  if (course.next_lesson) return h('span', { class: 'card-next muted', i18n: 'landing.cardNext', vars: { when: when(course.next_lesson.starts_at) }, attrs: { 'data-next': course.next_lesson.id } });
  return null;
}

// syllabusSummary counts the lessons that take place and their time.
export function syllabusSummary(lessons) {
  const held = lessons.filter((l) => !l.cancelled);
  const total = held.reduce((n, l) => n + (l.duration_minutes || 0), 0);
  return h('li', { class: 'muted syllabus-summary', i18n: 'landing.summary', attrs: { id: 'syllabus-summary', 'data-count': held.length },
    vars: { count: held.length, hours: Math.floor(total / 60), minutes: total % 60 } });
}

// noticeVars formats a notice's times for the reader.
export function noticeVars(vars = {}) {
  const out = { ...vars };
  for (const k of ['starts_at', 'was']) if (out[k]) out[k] = when(out[k]);
  return out;
}

const pad = (n) => String(n).padStart(2, '0');

// localInput is an ISO time as a datetime-local value.
export function localInput(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// isoOf is a datetime-local value as an ISO time (whole seconds), or null.
export function isoOf(value) {
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// lessonTools are the teacher's Edit and Cancel buttons of a scheduled
// lesson row, each opening its form in the row; done reloads the list.
export function lessonTools(lesson, done) {
  const slot = h('div', { class: 'lesson-tool-form' });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const send = async (btn, method, path, body) => {
    btn.disabled = true;
    try {
      await api(method, path, body);
      done();
    } catch (err) {
      btn.disabled = false;
      showAPIError(error, err);
    }
  };
  const editForm = () => {
    const title = h('input', { attrs: { 'data-edit-title': '', required: true, maxlength: 200 } });
    const start = h('input', { attrs: { 'data-edit-start': '', type: 'datetime-local', required: true } });
    const duration = h('input', { attrs: { 'data-edit-duration': '', type: 'number', min: 1, max: 720, required: true } });
    title.value = lesson.title;
    start.value = localInput(lesson.starts_at);
    duration.value = lesson.duration_minutes;
    const save = h('button', { class: 'btn btn-primary btn-small', i18n: 'lesson.save', attrs: { type: 'submit', 'data-edit-save': '' } });
    const form = h('form', { class: 'form-row' },
      h('label', { class: 'field grow' }, h('span', { i18n: 'lesson.title' }), title),
      h('label', { class: 'field' }, h('span', { i18n: 'lesson.startsAt' }), start),
      h('label', { class: 'field small' }, h('span', { i18n: 'lesson.duration' }), duration),
      save, error);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const at = isoOf(start.value);
      if (!at) { error.textContent = t('lesson.badDate'); return; }
      send(save, 'PATCH', `/api/v1/lessons/${enc(lesson.id)}`,
        { title: title.value.trim(), starts_at: at, duration_minutes: Number(duration.value) });
    });
    return form;
  };
  const cancelForm = () => {
    const reason = h('textarea', { attrs: { 'data-cancel-reason': '', rows: 2, maxlength: 500 } });
    const confirm = h('button', { class: 'btn btn-danger btn-small', i18n: 'lesson.cancelConfirm', attrs: { type: 'submit', 'data-cancel-confirm': '' } });
    const form = h('form', { class: 'form' },
      h('label', { class: 'field' }, h('span', { i18n: 'lesson.cancelReason' }), reason),
      h('div', { class: 'form-actions' },
        h('button', { class: 'btn btn-quiet btn-small', i18n: 'lesson.keep', attrs: { type: 'button' }, on: { click: () => slot.replaceChildren() } }),
        confirm),
      error);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      send(confirm, 'POST', `/api/v1/lessons/${enc(lesson.id)}/cancel`, { reason: reason.value.trim() });
    });
    return form;
  };
  const buttons = h('span', { class: 'lesson-tools' },
    h('button', { class: 'btn btn-small', i18n: 'lesson.edit', attrs: { type: 'button', 'data-lesson-edit': lesson.id },
      on: { click: () => slot.replaceChildren(editForm()) } }),
    h('button', { class: 'btn btn-small btn-quiet', i18n: 'lesson.cancel', attrs: { type: 'button', 'data-lesson-cancel': lesson.id },
      on: { click: () => slot.replaceChildren(cancelForm()) } }));
  return [buttons, slot];
}

// coverButton lets the teacher upload the course's cover image (PNG,
// JPEG, GIF or WebP; the server checks type, size and dimensions); done
// gets the course as saved.
export function coverButton(course, done) {
  const error = h('span', { class: 'form-error', attrs: { role: 'alert' } });
  const file = h('input', { attrs: { type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp', id: 'cover-file', hidden: true } });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    error.replaceChildren();
    try {
      done(await putBytes(`/api/v1/courses/${enc(course.id)}/cover`, f));
    } catch (err) {
      showAPIError(error, err);
    }
    file.value = '';
  });
  return h('span', {}, file,
    h('button', { class: 'btn', i18n: 'landing.cover', attrs: { type: 'button', id: 'cover-upload' }, on: { click: () => file.click() } }),
    error);
}
