// Courses (docs/api.md): "my courses" with upcoming lessons and the
// catalogue; a course page where its teacher edits the course and
// schedules lessons, a student enrols in a free course, and members join a
// lesson (the room asks for the join token itself: no token in the URL).
import { h, tr, clear } from '../lib/dom.js';
import { topbar, showAPIError } from '../lib/shell.js';
import { api, currentAccount, hasRole, APIError } from '../lib/api.js';
import { t } from '../i18n.js';
import { recordingSettings, replays, streamKey } from './replays.js';
import { contentLinks } from './contentlinks.js';
import { coursePurchase, formatMoney, loadPrice, priceFields, previewToggle, priceTag, resumeCheckout } from './billing.js';
import { noticesCard, reviewPanel, stateBadge } from './publishing.js';
import { rosterSection } from './roster.js';
import { couponSection } from './coupons.js';
import { catalogueSection, tagList, tagsField } from './catalogue.js';
import { cardSchedule, coverButton, ctaFor, ctaLink, isoOf, lessonTools, scheduleLine, syllabusSummary, when } from './landing.js';
import { teacherBlock } from './teacherprofile.js';

const enc = encodeURIComponent;

// lessonStatusButton lets the teacher (or an assistant) end a lesson, and
// the teacher reopen an ended one (POST /api/v1/lessons/{id}/status).
function lessonStatusButton(lesson, relation, done) {
  const next = lesson.status === 'ended' ? 'scheduled' : 'ended';
  if (next === 'scheduled' && relation !== 'teacher') return document.createTextNode('');
  const error = h('span', { class: 'form-error', attrs: { role: 'alert' } });
  const btn = h('button', {
    class: 'btn btn-small', i18n: next === 'ended' ? 'lesson.end' : 'lesson.reopen',
    attrs: { type: 'button', 'data-lesson-status': next },
    on: {
      click: async () => {
        if (next === 'ended' && !window.confirm(t('mod.endConfirm'))) return;
        btn.disabled = true;
        try {
          await api('POST', `/api/v1/lessons/${enc(lesson.id)}/status`, { status: next });
          done();
        } catch (err) {
          btn.disabled = false;
          showAPIError(error, err);
        }
      },
    },
  });
  return h('span', { class: 'lesson-status-actions' }, btn, error);
}

function statusBadge(l) {
  if (l.cancelled) {
    return h('span', { class: 'badge status-cancelled', i18n: 'lesson.cancelled', attrs: { 'data-cancelled': l.id } });
  }
  return h('span', { class: `badge status-${l.status}`, i18n: `lesson.status.${l.status}` });
}

function joinLink(lesson) {
  if (lesson.status === 'ended') return null;
  return h('a', {
    class: `btn btn-small${lesson.status === 'live' ? ' btn-live' : ' btn-primary'}`,
    i18n: lesson.status === 'live' ? 'lesson.joinLive' : 'lesson.join',
    attrs: { href: `/lesson/${enc(lesson.id)}`, 'data-join': lesson.id },
  });
}

function lessonRow(l, { course = false } = {}) {
  return h('li', { class: 'lesson-row', attrs: { 'data-lesson': l.id, id: `lesson-${l.id}` } },
    h('div', { class: 'lesson-main' },
      h('strong', { class: 'lesson-title', text: l.title }),
      course && l.course_title
        ? h('a', { class: 'lesson-course', text: l.course_title, attrs: { href: `/courses/${enc(l.course_id)}` } })
        : null,
      h('span', { class: 'when', i18n: 'pub.whenFor', vars: { when: when(l.starts_at), minutes: l.duration_minutes } }),
      l.cancel_reason ? h('span', { class: 'muted cancel-reason', i18n: 'lesson.cancelledBecause', vars: { reason: l.cancel_reason } }) : null),
    statusBadge(l), l.cancelled ? null : joinLink(l));
}

// cardPrice fills a course card's price once billing answers: the amount,
// or "Free".
function cardPrice(courseId) {
  const el = h('span', { class: 'card-price', attrs: { 'data-card-price': '' } });
  loadPrice(courseId).then((p) => {
    if (!p) return;
    if (p.free) {
      el.append(h('span', { class: 'badge', i18n: 'billing.free' }));
    } else {
      el.append(h('span', { class: 'price-tag', text: formatMoney(p.amount, p.currency), attrs: { 'data-amount': p.amount } }));
    }
  });
  return el;
}

function courseCard(c) {
  return h('a', { class: 'card course-card', attrs: { href: `/courses/${enc(c.id)}`, 'data-course': c.id } },
    c.cover_url ? h('img', { class: 'course-cover', attrs: { src: c.cover_url, alt: '' } }) : null,
    h('h2', { text: c.title }),
    c.summary ? h('p', { class: 'muted', text: c.summary }) : null,
    tagList(c.tags),
    h('p', { class: 'course-meta' },
      h('span', { text: c.teacher?.display_name || '' }),
      cardPrice(c.id),
      cardSchedule(c),
      c.relation ? h('span', { class: `badge rel-${c.relation}`, i18n: `course.relation.${c.relation}` }) : null,
      c.relation === 'teacher' && c.state !== 'published' ? stateBadge(c.state) : null));
}

function section(titleKey, ...body) {
  return h('section', { class: 'section' }, h('h2', { i18n: titleKey }), ...body);
}

// courseForm edits {title, summary, description, assistants, tags} and the
// course's price and refund window (billing).
function courseForm(course, onSaved, onCancel, price = null) {
  const title = h('input', { attrs: { id: 'course-title', required: true, maxlength: 200 } });
  const summary = h('input', { attrs: { id: 'course-summary', maxlength: 500 } });
  const description = h('textarea', { attrs: { id: 'course-description', rows: 5, maxlength: 20000 } });
  const assistants = h('input', { attrs: { id: 'course-assistants', autocomplete: 'off' } });
  title.value = course?.title || '';
  summary.value = course?.summary || '';
  description.value = course?.description || '';
  assistants.value = (course?.assistants || []).map((a) => a.id).join(', ');
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const pricing = priceFields(price);
  const tags = tagsField(course);
  const form = h('form', { class: 'form card', attrs: { id: 'course-form' } },
    h('label', { class: 'field' }, h('span', { i18n: 'course.title' }), title),
    h('label', { class: 'field' }, h('span', { i18n: 'course.summary' }), summary),
    h('label', { class: 'field' }, h('span', { i18n: 'course.description' }), description),
    h('label', { class: 'field' }, h('span', { i18n: 'course.assistants' }), assistants,
      h('small', { class: 'field-hint', i18n: 'course.assistantsHint' })),
    tags.el,
    pricing.el,
    error,
    h('div', { class: 'form-actions' },
      onCancel ? h('button', { class: 'btn btn-quiet', i18n: 'common.cancel', attrs: { type: 'button' }, on: { click: onCancel } }) : null,
      h('button', { class: 'btn btn-primary', i18n: course ? 'course.save' : 'course.create', attrs: { type: 'submit', id: 'course-submit' } })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.replaceChildren();
    const body = {
      title: title.value.trim(), summary: summary.value.trim(), description: description.value,
      assistants: assistants.value.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean),
      tags: tags.read(),
    };
    const tagProblem = tags.problem();
    if (tagProblem) {
      tr(error, tagProblem);
      return;
    }
    try {
      pricing.read();
    } catch (err) {
      tr(error, err.field === 'currency' ? 'billing.badCurrency' : 'billing.badAmount');
      return;
    }
    const submit = form.querySelector('#course-submit');
    submit.disabled = true;
    try {
      const saved = course
        ? await api('PATCH', `/api/v1/courses/${enc(course.id)}`, body)
        : await api('POST', '/api/v1/courses', body);
      course = saved; // a failed price below must not create the course twice
      const newPrice = await pricing.save(saved.id, price);
      onSaved(saved, newPrice);
    } catch (err) {
      showAPIError(error, err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

// lessonForm schedules a lesson of a course.
function lessonForm(courseId, onSaved) {
  const title = h('input', { attrs: { id: 'lesson-title', required: true, maxlength: 200 } });
  const start = h('input', { attrs: { id: 'lesson-start', type: 'datetime-local', required: true } });
  const soon = new Date(Date.now() + 3600e3);
  soon.setMinutes(0, 0, 0);
  const pad = (n) => String(n).padStart(2, '0');
  start.value = `${soon.getFullYear()}-${pad(soon.getMonth() + 1)}-${pad(soon.getDate())}T${pad(soon.getHours())}:00`;
  const duration = h('input', { attrs: { id: 'lesson-duration', type: 'number', min: 1, max: 720, value: 60, required: true } });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const form = h('form', { class: 'form card lesson-form', attrs: { id: 'lesson-form' } },
    h('h3', { i18n: 'lesson.schedule' }),
    h('div', { class: 'form-row' },
      h('label', { class: 'field grow' }, h('span', { i18n: 'lesson.title' }), title),
      h('label', { class: 'field' }, h('span', { i18n: 'lesson.startsAt' }), start),
      h('label', { class: 'field small' }, h('span', { i18n: 'lesson.duration' }), duration)),
    error,
    h('div', { class: 'form-actions' },
      h('button', { class: 'btn btn-primary', i18n: 'lesson.scheduleButton', attrs: { type: 'submit', id: 'lesson-submit' } })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.replaceChildren();
    const at = isoOf(start.value);
    if (!at) { tr(error, 'lesson.badDate'); return; }
    try {
      const l = await api('POST', `/api/v1/courses/${enc(courseId)}/lessons`, {
        title: title.value.trim(), starts_at: at, duration_minutes: Number(duration.value),
      });
      title.value = '';
      onSaved(l);
    } catch (err) {
      showAPIError(error, err);
    }
  });
  return form;
}

function signInPrompt(main, path) {
  main.append(h('div', { class: 'card empty-card' },
    h('p', { i18n: 'course.signInFirst' }),
    h('a', { class: 'btn btn-primary', i18n: 'nav.signIn', attrs: { href: `/signin?next=${enc(path)}` } })));
}

export async function mountMyCourses(root) {
  const main = h('main', { class: 'page' });
  root.append(topbar(), main);
  const account = await currentAccount().catch(() => null);
  const head = h('div', { class: 'page-head' }, h('h1', { i18n: 'nav.courses' }));
  main.append(head);
  if (!account) {
    signInPrompt(main, '/courses');
  } else {
    if (hasRole(account, 'teacher')) {
      const slot = h('div');
      const newBtn = h('button', {
        class: 'btn btn-primary', i18n: 'course.new', attrs: { type: 'button', id: 'course-new' },
        on: {
          click: () => {
            newBtn.hidden = true;
            slot.replaceChildren(courseForm(null, (c) => location.assign(`/courses/${enc(c.id)}`),
              () => { slot.replaceChildren(); newBtn.hidden = false; }));
          },
        },
      });
      head.append(newBtn);
      main.append(slot);
    }
    const notices = await noticesCard();
    if (notices) main.append(notices);
    const upcoming = h('ul', { class: 'lessons', attrs: { id: 'upcoming-lessons' } });
    const mine = h('div', { class: 'grid', attrs: { id: 'my-courses' } });
    main.append(section('course.upcoming', upcoming), section('course.mine', mine));
    const [lessons, courses] = await Promise.all([
      api('GET', '/api/v1/me/lessons').catch(() => ({ lessons: [] })),
      api('GET', '/api/v1/me/courses').catch(() => ({ courses: [] })),
    ]);
    for (const l of lessons?.lessons || []) upcoming.append(lessonRow(l, { course: true }));
    if (!upcoming.childElementCount) upcoming.append(h('li', { class: 'muted', i18n: 'course.noUpcoming' }));
    for (const c of courses?.courses || []) mine.append(courseCard(c));
    if (!mine.childElementCount) mine.append(h('p', { class: 'muted', i18n: 'course.noCourses' }));
  }
  await catalogueSection(main, courseCard, 'course.catalogue');
}

export async function mountCourse(root, id) {
  const main = h('main', { class: 'page' });
  root.append(topbar(), main);
  let course;
  let account;
  let price; // billing's price view, or null (no billing)
  try {
    [course, account, price] = await Promise.all([
      api('GET', `/api/v1/courses/${enc(id)}`),
      currentAccount().catch(() => null),
      loadPrice(id),
    ]);
  } catch (err) {
    const key = err instanceof APIError && err.status === 404 ? 'course.notFound' : 'api.failed';
    main.append(h('h1', { i18n: key }), h('p', {}, h('a', { i18n: 'nav.courses', attrs: { href: '/courses' } })));
    return;
  }
  document.title = `${course.title} · Lectern`;
  let relation = course.relation || '';
  const header = h('header', { class: 'course-head' });
  const ctaSlot = h('div', { class: 'course-cta', attrs: { id: 'course-cta' } });
  const actions = h('div', { class: 'course-actions', attrs: { id: 'course-actions' } });
  let lessons = []; // the course's lessons, once loaded
  const editSlot = h('div');
  const lessonList = h('ul', { class: 'lessons', attrs: { id: 'course-lessons' } });
  const checkoutSlot = h('div');
  const paid = () => !!price && !price.free;
  // mustBuy: a student who may join only the free previews.
  const mustBuy = () => paid() && !price.owned && relation !== 'teacher' && relation !== 'assistant';

  // refresh reloads the course and its price after a purchase.
  async function refresh() {
    const [c, p] = await Promise.all([api('GET', `/api/v1/courses/${enc(course.id)}`).catch(() => course), loadPrice(course.id)]);
    course = c;
    price = p;
    relation = course.relation || '';
    renderHeader();
    renderActions();
    await loadLessons();
  }

  function renderHeader() {
    clear(header);
    header.append(...[
      course.cover_url ? h('img', { class: 'course-cover wide', attrs: { src: course.cover_url, alt: '' } }) : null,
      h('h1', { text: course.title, attrs: { id: 'course-title-text' } }),
      course.summary ? h('p', { class: 'lead', text: course.summary }) : null,
      tagList(course.tags, { links: true }),
      h('p', { class: 'course-meta' },
        h('span', { i18n: 'course.teacher', vars: { name: course.teacher?.display_name || '' } }),
        relation === 'teacher' || relation === 'assistant' ? priceTag(price) : null,
        relation === 'teacher' && price && price.free ? h('span', { class: 'badge', i18n: 'billing.free' }) : null,
        // A student whose purchase was refunded (or who enrolled for the
        // free previews) is not "Enrolled" in the whole course.
        relation ? h('span', { class: `badge rel-${relation}`, i18n: relation === 'student' && mustBuy() ? 'pub.previewOnly' : `course.relation.${relation}`, attrs: { id: 'course-relation' } }) : null),
      scheduleLine(course),
      ctaSlot,
      course.description ? h('p', { class: 'course-description', text: course.description }) : null,
    ].filter(Boolean)); // append(null) would write "null"
  }

  // enrolButton enrols a student: the call to action of a free course, a
  // second button ("free previews only") beside Buy on a paid one.
  function enrolButton(primary) {
    const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
    const btn = h('button', {
      class: primary ? 'btn btn-primary btn-cta' : 'btn', i18n: primary ? 'course.enrol' : 'billing.enrolPreview', attrs: { type: 'button', id: 'course-enrol' },
      on: {
        click: async () => {
          btn.disabled = true;
          try {
            course = await api('POST', `/api/v1/courses/${enc(course.id)}/enrolment`);
            location.reload();
          } catch (err) {
            btn.disabled = false;
            showAPIError(error, err);
          }
        },
      },
    });
    return h('span', {}, btn, error);
  }

  // renderCTA shows the one call to action for the visitor (landing.js
  // ctaFor); data-cta names it.
  function renderCTA() {
    const canEnrol = !!account && hasRole(account, 'student');
    const cta = ctaFor({ course, account, relation, paid: paid(), owned: !!price?.owned, canEnrol, lessons });
    ctaSlot.dataset.cta = cta.kind;
    clear(ctaSlot);
    if (cta.kind === 'buy') {
      const buy = coursePurchase(course, account, price, { onChange: () => refresh() });
      if (buy) ctaSlot.append(buy);
    } else if (cta.kind === 'signin') {
      ctaSlot.append(h('a', { class: 'btn btn-primary btn-cta', i18n: 'landing.signIn', attrs: { href: `/signin?next=${enc(location.pathname)}`, id: 'cta-signin' } }));
    } else if (cta.kind === 'enrol') {
      ctaSlot.append(enrolButton(true));
    } else {
      const el = ctaLink(cta);
      if (el) ctaSlot.append(el);
    }
  }

  function renderActions() {
    clear(actions);
    const links = contentLinks(course.id, relation);
    if (links) actions.append(links);
    if (relation === 'teacher') {
      actions.append(reviewPanel(course, (c) => { course = { ...course, ...c }; renderActions(); }));
      actions.append(h('button', {
        class: 'btn', i18n: 'course.edit', attrs: { type: 'button', id: 'course-edit' },
        on: {
          click: () => editSlot.replaceChildren(courseForm(course, (saved, newPrice) => {
            course = { ...course, ...saved };
            price = newPrice;
            editSlot.replaceChildren();
            renderHeader();
            renderActions();
            loadLessons();
          }, () => editSlot.replaceChildren(), price)),
        },
      }));
      actions.append(coverButton(course, (saved) => { course = { ...course, cover_url: saved.cover_url }; renderHeader(); }));
      if (price) {
        actions.append(h('a', { class: 'btn', i18n: 'billing.revenue', attrs: { href: `/revenue?course=${enc(course.id)}`, id: 'course-revenue' } }));
      }
    } else if (relation === 'assistant') {
      // nothing to buy or enrol
    } else {
      // The call to action (Buy, Enrol, Join…) is in the head; here only
      // what goes beside it: the owner's receipt link, and on a paid
      // course with free previews, enrolling for those.
      if (paid() && price.owned) actions.append(coursePurchase(course, account, price));
      if (mustBuy() && !relation && account && hasRole(account, 'student') && price.free_preview_lessons?.length) {
        actions.append(enrolButton(false));
      }
    }
    renderCTA();
  }

  async function loadLessons() {
    const data = await api('GET', `/api/v1/courses/${enc(course.id)}/lessons`).catch(() => ({ lessons: [] }));
    lessons = data?.lessons || [];
    clear(lessonList);
    lessonList.append(syllabusSummary(lessons));
    const member = !!relation;
    const previews = new Set(price?.free_preview_lessons || []);
    for (const l of data?.lessons || []) {
      const row = lessonRow(l);
      const preview = paid() && previews.has(l.id);
      const join = row.querySelector('[data-join]');
      if (preview) row.querySelector('.lesson-main').append(h('span', { class: 'badge badge-ok preview-badge', i18n: 'billing.previewBadge', attrs: { 'data-preview': '' } }));
      if (!member) {
        join?.remove();
      } else if (join && mustBuy() && !preview) {
        join.replaceWith(h('span', { class: 'badge locked', i18n: 'billing.buyToJoin', attrs: { 'data-locked': l.id } }));
      }
      if (relation === 'teacher' && l.status !== 'ended') {
        row.insertBefore(previewToggle(l.id, previews.has(l.id), (on) => {
          if (!price) return;
          const list = new Set(price.free_preview_lessons || []);
          if (on) list.add(l.id); else list.delete(l.id);
          price = { ...price, free_preview_lessons: [...list] };
        }), row.querySelector(':scope > .badge'));
      }
      if (relation === 'teacher' && l.status === 'scheduled') row.append(...lessonTools(l, () => refresh()));
      // A teacher cancels a scheduled lesson (with mail) rather than ending it.
      if ((relation === 'teacher' && l.status !== 'scheduled') || relation === 'assistant') row.append(lessonStatusButton(l, relation, () => refresh()));
      if (member && l.status !== 'scheduled' && !l.cancelled) row.append(replays(l, { manage: relation === 'teacher' || relation === 'assistant' }));
      if ((relation === 'teacher' || relation === 'assistant') && l.status !== 'ended') row.append(streamKey(l));
      lessonList.append(row);
    }
    if (!lessons.length) lessonList.append(h('li', { class: 'muted', i18n: 'course.noLessons' }));
    renderCTA();
  }

  renderHeader();
  renderActions();
  if (relation !== 'teacher' && relation !== 'assistant') {
    const tracker = resumeCheckout(course, { onPaid: () => refresh() });
    if (tracker) checkoutSlot.append(tracker);
  }
  main.append(header, checkoutSlot, actions, editSlot,
    section('landing.syllabus', relation === 'teacher' ? lessonForm(course.id, () => refresh()) : null, lessonList),
    teacherBlock(course));
  if (relation === 'teacher' || relation === 'assistant') main.append(rosterSection(course.id, relation));
  if (relation === 'teacher') main.append(recordingSettings(course));
  if (relation === 'teacher' && price) main.append(couponSection(course.id, price.currency));
  await loadLessons();
}
