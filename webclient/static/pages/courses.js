// My courses and a course page. Filled in against docs/api.md.
import { h } from '../lib/dom.js';
import { topbar } from '../lib/shell.js';

export function mountMyCourses(root) {
  root.append(topbar(), h('main', { class: 'page' }, h('h1', { i18n: 'nav.courses' })));
}

export function mountCourse(root, id) {
  root.append(topbar(), h('main', { class: 'page' }, h('h1', { text: id })));
}
