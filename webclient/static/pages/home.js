// The landing page and the not-found page.
import { h } from '../lib/dom.js';
import { topbar } from '../lib/shell.js';
import { addStrings } from '../i18n.js';

addStrings({
  en: {
    'home.title': 'Live lessons, right in the browser',
    'home.lead': 'Teach on camera or share your screen; students watch, ask and take part — no install needed.',
    'home.courses': 'Go to my courses',
    'home.join': 'Have a lesson link? Open it to join the lesson.',
    'notFound.title': 'Page not found',
    'notFound.home': 'Back to the home page',
  },
  'zh-CN': {
    'home.title': '在浏览器里上直播课',
    'home.lead': '老师开摄像头或共享屏幕，学生观看、提问、参与互动——无需安装任何软件。',
    'home.courses': '进入我的课程',
    'home.join': '收到课堂链接？直接打开即可进入课堂。',
    'notFound.title': '页面不存在',
    'notFound.home': '返回首页',
  },
});

function navLinks() {
  return []; // the top bar has the courses and account links
}

export function mountHome(root) {
  root.append(topbar(navLinks()), h('main', { class: 'page hero' },
    h('h1', { i18n: 'home.title' }),
    h('p', { class: 'lead', i18n: 'home.lead' }),
    h('p', {}, h('a', { class: 'btn btn-primary', i18n: 'home.courses', attrs: { href: '/courses' } })),
    h('p', { class: 'muted', i18n: 'home.join' })));
}

export function mountNotFound(root) {
  root.append(topbar(navLinks()), h('main', { class: 'page narrow' },
    h('h1', { i18n: 'notFound.title' }),
    h('p', {}, h('a', { i18n: 'notFound.home', attrs: { href: '/' } }))));
}
