// UI strings in English and Simplified Chinese. The language comes from
// the user's choice (localStorage), else navigator.languages (zh* → zh-CN,
// anything else → en). Elements built with lib/dom.js remember their keys,
// so a switch re-translates the page in place.

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
];

const STORAGE_KEY = 'lectern.lang';

const en = {
  'lang.label': 'Language',
  'common.close': 'Close',
  'common.loading': 'Loading…',
  'common.back': 'Back',

  'nav.signIn': 'Sign in',
  'nav.signUp': 'Sign up',
  'nav.signOut': 'Sign out',
  'nav.courses': 'My courses',

  'status.connecting': 'Connecting…',
  'status.ready': 'Connected · not live yet',
  'status.live': 'Live',
  'status.reconnecting': 'Reconnecting…',
  'status.ended': 'Disconnected',

  'room.leave': 'Leave',
  'room.rejoin': 'Rejoin',

  'stage.label': 'Stage',
  'stage.connecting': 'Connecting to the lesson…',
  'stage.waiting': 'Waiting for the teacher to go live',
  'stage.cameraOff': 'Your camera is off',
  'stage.yourScreen': 'Your screen',
  'stage.enableSound': 'Click to enable sound',

  'controls.label': 'Broadcast controls',
  'controls.cameraOn': 'Stop video',
  'controls.cameraOff': 'Start video',
  'controls.micOn': 'Mute',
  'controls.micOff': 'Unmute',
  'controls.share': 'Share screen',
  'controls.stopShare': 'Stop sharing',
  'controls.goLive': 'Go live',
  'controls.endLive': 'End broadcast',
  'controls.cameraDevice': 'Camera',
  'controls.micDevice': 'Microphone',
  'controls.cameraN': 'Camera {n}',
  'controls.micN': 'Microphone {n}',

  'source.camera': 'camera',
  'source.microphone': 'microphone',
  'source.screen': 'screen',

  'media.denied': 'Permission to use the {what} was denied',
  'media.notFound': 'No {what} was found',
  'media.busy': 'The {what} is in use by another application',
  'media.failed': 'Could not start the {what}',

  'panel.label': 'Classroom',
  'panel.people': 'People',
  'panel.chat': 'Chat',
  'panel.qa': 'Q&A',
  'panel.polls': 'Polls',
  'panel.soon': 'Coming soon.',

  'people.count': '{n} in the lesson',
  'people.you': '(you)',
  'role.teacher': 'Teacher',
  'role.assistant': 'Assistant',
  'role.student': 'Student',
  'role.observer': 'Observer',

  'ended.lesson': 'The lesson has ended.',
  'ended.token': 'Your link to this lesson is invalid or has expired.',
  'ended.elsewhere': 'You joined this lesson from another window.',
  'ended.removed': 'You were removed from the lesson.',
  'ended.left': 'You left the lesson.',
  'ended.signIn': 'Sign in to join this lesson.',
  'ended.noToken': 'Could not join this lesson.',
  'ended.payment': 'This lesson is part of a course you have not bought yet.',
  'ended.notMember': 'You are not enrolled in this course.',
  'ended.notFound': 'This lesson does not exist.',

  'error.bad_request': 'The server did not understand a request',
  'error.unsupported_version': 'This page is out of date — reload it',
  'error.unknown_type': 'The server did not understand a request',
  'error.not_joined': 'Not joined to the lesson yet',
  'error.already_joined': 'Already joined',
  'error.unauthorized': 'Your link is invalid or has expired',
  'error.forbidden': 'You are not allowed to do that',
  'error.bad_sdp': 'The media connection could not be set up',
  'error.not_found': 'Not found',
  'error.rate_limited': 'Too many requests — wait a moment',
  'error.internal': 'Something went wrong',
  'error.timeout': 'The server did not answer in time',
  'error.closed': 'The connection was lost',
  'error.network': 'Network error — check your connection',

  'chat.empty': 'No messages yet. Say hello!',
  'chat.placeholder': 'Write a message…',
  'chat.send': 'Send',
  'chat.private': 'Private',
  'chat.delete': 'Delete message',
  'chat.readOnly': 'You can read the chat but not write.',
  'chat.muted': 'A moderator has muted you in the chat.',
  'chat.disabled': 'The chat is turned off.',

  'hands.raise': 'Raise hand',
  'hands.lower': 'Lower hand',
  'hands.lowerFor': 'Lower',
  'hands.queue': 'Raised hands',

  'error.invalid': 'The server refused the request',
  'error.too_long': 'That is too long',
  'error.banned': 'You are banned from this lesson',
  'error.locked': 'The lesson is locked',
  'error.stage_full': 'The stage is full',
  'error.poll_closed': 'The poll is closed',
  'error.conflict': 'You have already done that',
  'error.ended': 'The lesson has ended',
};

const zhCN = {
  'lang.label': '语言',
  'common.close': '关闭',
  'common.loading': '加载中…',
  'common.back': '返回',

  'nav.signIn': '登录',
  'nav.signUp': '注册',
  'nav.signOut': '退出登录',
  'nav.courses': '我的课程',

  'status.connecting': '正在连接…',
  'status.ready': '已连接 · 尚未开播',
  'status.live': '直播中',
  'status.reconnecting': '正在重新连接…',
  'status.ended': '已断开',

  'room.leave': '离开',
  'room.rejoin': '重新加入',

  'stage.label': '讲台',
  'stage.connecting': '正在进入课堂…',
  'stage.waiting': '等待老师开播',
  'stage.cameraOff': '摄像头已关闭',
  'stage.yourScreen': '你的屏幕',
  'stage.enableSound': '点击开启声音',

  'controls.label': '直播控制',
  'controls.cameraOn': '关闭视频',
  'controls.cameraOff': '开启视频',
  'controls.micOn': '静音',
  'controls.micOff': '取消静音',
  'controls.share': '共享屏幕',
  'controls.stopShare': '停止共享',
  'controls.goLive': '开始直播',
  'controls.endLive': '结束直播',
  'controls.cameraDevice': '摄像头',
  'controls.micDevice': '麦克风',
  'controls.cameraN': '摄像头 {n}',
  'controls.micN': '麦克风 {n}',

  'source.camera': '摄像头',
  'source.microphone': '麦克风',
  'source.screen': '屏幕',

  'media.denied': '没有获得使用{what}的权限',
  'media.notFound': '未找到{what}',
  'media.busy': '{what}正被其他应用占用',
  'media.failed': '无法启动{what}',

  'panel.label': '课堂',
  'panel.people': '成员',
  'panel.chat': '聊天',
  'panel.qa': '问答',
  'panel.polls': '投票',
  'panel.soon': '即将推出。',

  'people.count': '课堂中 {n} 人',
  'people.you': '（你）',
  'role.teacher': '老师',
  'role.assistant': '助教',
  'role.student': '学生',
  'role.observer': '旁听',

  'ended.lesson': '本节课已结束。',
  'ended.token': '你的课堂链接无效或已过期。',
  'ended.elsewhere': '你已在另一个窗口加入本节课。',
  'ended.removed': '你已被移出课堂。',
  'ended.left': '你已离开课堂。',
  'ended.signIn': '请登录后加入本节课。',
  'ended.noToken': '无法加入本节课。',
  'ended.payment': '本节课所属的课程尚未购买。',
  'ended.notMember': '你尚未报名这门课程。',
  'ended.notFound': '这节课不存在。',

  'error.bad_request': '服务器无法理解请求',
  'error.unsupported_version': '页面版本过旧，请刷新',
  'error.unknown_type': '服务器无法理解请求',
  'error.not_joined': '尚未加入课堂',
  'error.already_joined': '已经加入',
  'error.unauthorized': '链接无效或已过期',
  'error.forbidden': '你没有权限执行此操作',
  'error.bad_sdp': '无法建立媒体连接',
  'error.not_found': '未找到',
  'error.rate_limited': '请求过于频繁，请稍候',
  'error.internal': '出错了',
  'error.timeout': '服务器没有及时响应',
  'error.closed': '连接已断开',
  'error.network': '网络错误，请检查网络连接',

  'chat.empty': '还没有消息，打个招呼吧！',
  'chat.placeholder': '输入消息…',
  'chat.send': '发送',
  'chat.private': '私信',
  'chat.delete': '删除消息',
  'chat.readOnly': '你可以查看聊天，但不能发言。',
  'chat.muted': '你已被管理员禁言。',
  'chat.disabled': '聊天已关闭。',

  'hands.raise': '举手',
  'hands.lower': '放下手',
  'hands.lowerFor': '放下',
  'hands.queue': '举手列表',

  'error.invalid': '服务器拒绝了请求',
  'error.too_long': '内容过长',
  'error.banned': '你已被禁止进入本节课',
  'error.locked': '课堂已锁定',
  'error.stage_full': '讲台人数已满',
  'error.poll_closed': '投票已结束',
  'error.conflict': '你已经操作过了',
  'error.ended': '本节课已结束',
};

export const DICTIONARIES = { en, 'zh-CN': zhCN };

// addStrings merges more strings into the dictionaries (pages keep their
// own strings next to them): {en: {...}, 'zh-CN': {...}}.
export function addStrings(more) {
  for (const [code, dict] of Object.entries(more)) Object.assign(DICTIONARIES[code], dict);
}

// detectLanguage maps the browser's preferences to a supported language.
export function detectLanguage(prefs = navigator.languages || [navigator.language]) {
  for (const p of prefs || []) {
    const l = String(p).toLowerCase();
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

let current = 'en';
const listeners = new Set();

function stored() {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v && DICTIONARIES[v] ? v : null;
  } catch {
    return null;
  }
}

export function initI18n() {
  current = stored() || detectLanguage();
  document.documentElement.lang = current;
}

export function lang() { return current; }

// setLang switches the UI language, remembers it and re-translates the page.
export function setLang(code) {
  if (!DICTIONARIES[code]) return;
  current = code;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch { /* private mode: the choice lasts for this page */ }
  document.documentElement.lang = code;
  translate(document);
  for (const fn of listeners) fn(code);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// t returns the string for key in the current language, with {name}
// placeholders replaced from vars. Unknown keys fall back to English, then
// to the key itself.
export function t(key, vars) {
  let s = DICTIONARIES[current]?.[key] ?? en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] != null ? String(vars[k]) : m));
  return s;
}

const ATTRS = [['i18nAttrTitle', 'title'], ['i18nAttrPlaceholder', 'placeholder'], ['i18nAttrAriaLabel', 'aria-label']];

// translate re-applies every remembered key under root.
export function translate(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    const vars = el.dataset.i18nVars ? JSON.parse(el.dataset.i18nVars) : undefined;
    el.textContent = t(el.dataset.i18n, vars);
  }
  for (const [prop, attr] of ATTRS) {
    const sel = `[data-${prop.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`;
    for (const el of root.querySelectorAll(sel)) el.setAttribute(attr, t(el.dataset[prop]));
  }
  if (document.title && root === document) document.dispatchEvent(new CustomEvent('lectern:lang'));
}
