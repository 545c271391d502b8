// Links from a course page to its materials and exercises (pages
// materials.js and exercises.js), for members of the course.
import { h } from '../lib/dom.js';
import { addStrings } from '../i18n.js';

addStrings({
  en: { 'content.materials': 'Materials', 'content.exercises': 'Exercises' },
  'zh-CN': { 'content.materials': '课程资料', 'content.exercises': '练习题' },
});

// contentLinks returns the links, or null for someone outside the course.
export function contentLinks(courseId, relation) {
  if (!relation) return null;
  const base = `/courses/${encodeURIComponent(courseId)}`;
  return h('span', { class: 'content-links' },
    h('a', { class: 'btn', i18n: 'content.materials', attrs: { href: `${base}/materials`, id: 'course-materials' } }),
    h('a', { class: 'btn', i18n: 'content.exercises', attrs: { href: `${base}/exercises`, id: 'course-exercises' } }));
}
