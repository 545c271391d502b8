// The course's students for its teacher and assistants (docs/api.md,
// "Roster"): name, address (teacher only), enrolment date, lessons
// attended out of those held, exercises submitted and points, and Remove
// for the teacher.
import { h, clear } from '../lib/dom.js';
import { showAPIError } from '../lib/shell.js';
import { api } from '../lib/api.js';
import { addStrings, lang, t } from '../i18n.js';

const enc = encodeURIComponent;

addStrings({
  en: {
    'roster.title': 'Students',
    'roster.show': 'Show the students',
    'roster.none': 'No student is enrolled yet.',
    'roster.attended': '{n} of {held} lessons attended',
    'roster.since': 'since {date}',
    'roster.exercises': '{n} of {total} exercises submitted, {points} of {possible} points',
    'roster.remove': 'Remove',
    'roster.removeConfirm': 'Remove this student from the course? Their access ends at once.',
  },
  'zh-CN': {
    'roster.title': '学员',
    'roster.show': '查看学员',
    'roster.none': '还没有学员报名。',
    'roster.attended': '已出勤 {n} / {held} 节课',
    'roster.since': '{date} 报名',
    'roster.exercises': '已提交 {n} / {total} 个练习，得分 {points} / {possible}',
    'roster.remove': '移除',
    'roster.removeConfirm': '确定把这位学员移出课程吗？其访问权限会立即失效。',
  },
});

// rosterSection is the collapsed "Students" section of a course page.
export function rosterSection(courseId, relation) {
  const list = h('ul', { class: 'admin-list roster', attrs: { id: 'roster' } });
  const load = async () => {
    const data = await api('GET', `/api/v1/courses/${enc(courseId)}/roster`);
    clear(list);
    const date = new Intl.DateTimeFormat(lang(), { dateStyle: 'medium' });
    for (const s of data.students || []) {
      const error = h('span', { class: 'form-error', attrs: { role: 'alert' } });
      const row = h('li', { class: 'admin-row', attrs: { 'data-student': s.id, 'data-attended': s.lessons_attended } },
        h('div', { class: 'admin-main' },
          h('strong', { text: s.display_name }), ' ',
          s.email ? h('span', { class: 'muted', text: s.email }) : null,
          h('div', { class: 'muted' },
            h('span', { i18n: 'roster.attended', vars: { n: s.lessons_attended, held: data.lessons_held } }), ' · ',
            h('span', { i18n: 'roster.since', vars: { date: date.format(new Date(s.enrolled_at)) } })),
          data.exercises_total ? h('div', { class: 'muted roster-exercises', attrs: { 'data-points': s.points } },
            h('span', { i18n: 'roster.exercises', vars: { n: s.exercises_submitted, total: data.exercises_total,
              points: s.points, possible: s.points_possible } })) : null));
      if (relation === 'teacher') {
        const remove = h('button', {
          class: 'btn btn-small btn-danger', i18n: 'roster.remove', attrs: { type: 'button', 'data-remove': s.id },
          on: {
            click: async () => {
              if (!window.confirm(t('roster.removeConfirm'))) return;
              remove.disabled = true;
              try {
                await api('DELETE', `/api/v1/courses/${enc(courseId)}/students/${enc(s.id)}`);
                await load();
              } catch (err) {
                remove.disabled = false;
                showAPIError(error, err);
              }
            },
          },
        });
        row.append(remove, error);
      }
      list.append(row);
    }
    if (!list.childElementCount) list.append(h('li', { class: 'muted', i18n: 'roster.none' }));
  };
  const show = h('button', {
    class: 'btn', i18n: 'roster.show', attrs: { type: 'button', id: 'roster-show' },
    on: { click: () => { show.remove(); load().catch((err) => showAPIError(list, err)); } },
  });
  return h('section', { class: 'section', attrs: { id: 'course-roster' } }, h('h2', { i18n: 'roster.title' }), show, list);
}
