// A teacher's public profile (docs/api.md, GET /api/v1/teachers/{id}): the
// block a course's landing page shows of its teacher (name, avatar,
// biography, their other published courses), and the profile page's
// biography field.
import { h } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { addStrings } from '../i18n.js';

const enc = encodeURIComponent;

addStrings({
  en: {
    'teacher.about': 'About the teacher',
    'teacher.otherCourses': 'Other courses by {name}',
    'teacher.bio': 'About you (shown on your courses’ pages)',
    'teacher.bioHint': 'Up to 2,000 characters; line breaks are kept.',
  },
  'zh-CN': {
    'teacher.about': '关于讲师',
    'teacher.otherCourses': '{name}的其他课程',
    'teacher.bio': '个人简介（显示在你的课程页面上）',
    'teacher.bioHint': '最多 2000 字，保留换行。',
  },
});

// teacherBlock is the landing page's block about course's teacher; it
// fills in when the profile arrives and stays empty if there is none.
export function teacherBlock(course) {
  const block = h('section', { class: 'section card teacher-block', attrs: { id: 'teacher-profile', hidden: true } });
  const id = course.teacher?.id;
  if (!id) return block;
  api('GET', `/api/v1/teachers/${enc(id)}`).then((p) => {
    const initial = (p.display_name || '?').charAt(0).toUpperCase();
    const others = (p.courses || []).filter((c) => c.id !== course.id);
    block.append(
      h('h2', { i18n: 'teacher.about' }),
      h('div', { class: 'teacher-head' },
        p.avatar_url ? h('img', { class: 'avatar-large', attrs: { src: p.avatar_url, alt: '', id: 'teacher-avatar' } })
          : h('span', { class: 'avatar avatar-large', text: initial }),
        h('strong', { text: p.display_name, attrs: { id: 'teacher-name' } })),
      p.bio ? h('p', { class: 'course-description', text: p.bio, attrs: { id: 'teacher-bio' } }) : null,
      others.length ? h('h3', { i18n: 'teacher.otherCourses', vars: { name: p.display_name } }) : null,
      others.length ? h('ul', { class: 'admin-list', attrs: { id: 'teacher-courses' } },
        ...others.map((c) => h('li', { attrs: { 'data-course': c.id } },
          h('a', { text: c.title, attrs: { href: `/courses/${enc(c.id)}` } }),
          c.summary ? h('span', { class: 'muted', text: ` · ${c.summary}` }) : null))) : null);
    block.hidden = false;
  }).catch(() => {});
  return block;
}

// bioField is the profile's biography textarea (teachers), prefilled.
export function bioField(me) {
  const area = h('textarea', { attrs: { id: 'profile-bio', rows: 5, maxlength: 2000 } });
  area.value = me.bio || '';
  return {
    area,
    field: h('label', { class: 'field' }, h('span', { i18n: 'teacher.bio' }), area,
      h('small', { class: 'field-hint', i18n: 'teacher.bioHint' })),
  };
}
