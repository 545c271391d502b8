// Publishing with review in the browser: the course's state and the
// teacher's submit / unpublish / archive buttons, and the profile's
// "apply to teach" card (docs/api.md, "Publishing and review").
import { h, clear } from '../lib/dom.js';
import { showAPIError } from '../lib/shell.js';
import { api, hasRole, APIError } from '../lib/api.js';
import { addStrings, t } from '../i18n.js';
import { noticeVars } from './landing.js';

addStrings({
  en: {
    'pub.state.draft': 'Draft',
    'pub.state.in_review': 'In review',
    'pub.state.published': 'Published',
    'pub.state.unpublished': 'Unpublished',
    'pub.state.archived': 'Archived',
    'pub.submit': 'Submit for review',
    'pub.search': 'Search',
    'pub.notices': 'Notices',
    'pub.markRead': 'Mark all read',
    'notice.course.approved': '“{title}” was approved and is in the catalogue.',
    'notice.course.rejected': '“{title}” was not approved: {reason}',
    'notice.teacher.approved': 'You can now teach: create your first course.',
    'notice.teacher.rejected': 'Your application to teach was not approved: {reason}',
    'notice.material.approved': '“{name}” in “{title}” was approved: students can see it.',
    'notice.material.rejected': '“{name}” in “{title}” was not approved: {reason}',
    'notice.order.paid': 'Payment received for “{course}”: {amount}. The receipt is in your email.',
    'notice.refund.declined': 'Your refund request for “{course}” was declined.',
    'notice.refund.succeeded': 'Your refund of {amount} for “{course}” is done.',
    'notice.refund.failed': 'Your refund of {amount} for “{course}” failed; please contact the teacher.',
    'pub.whenFor': '{when} · {minutes} min',
    'pub.previewOnly': 'Free previews only',
    'pub.searchHint': 'Title, teacher or topic',
    'pub.noMatch': 'No course matches.',
    'pub.resubmit': 'Submit the changes for review',
    'pub.unpublish': 'Unpublish',
    'pub.archive': 'Archive',
    'pub.archiveConfirm': 'Archive this course for good? Enrolled students keep access.',
    'pub.rejected': 'Not approved: {reason}',
    'pub.draftHint': 'Only you and the reviewers see this course until it is approved.',
    'pub.reviewHint': 'A reviewer is looking at this course.',
    'pub.teach.title': 'Teach on Lectern',
    'pub.teach.hint': 'Tell the administrators what you would like to teach. They approve teachers.',
    'pub.teach.message': 'About you and your courses',
    'pub.teach.apply': 'Apply to teach',
    'pub.teach.pending': 'Your application is waiting for an administrator.',
    'pub.teach.approved': 'You are a teacher: create your first course from Courses.',
    'pub.teach.rejected': 'Your application was not approved: {reason}. You may apply again.',
    'api.course_state': 'The course cannot do that in its current state.',
    'api.own_course': 'You cannot review your own course.',
    'api.last_admin': 'At least one administrator must remain.',
    'api.account_disabled': 'This account has been disabled.',
    'api.already_applied': 'You have already applied.',
    'api.own_account': 'You cannot do that to your own account.',
    'api.conflict': 'It changed in the meantime; reload and try again.',
  },
  'zh-CN': {
    'pub.state.draft': '草稿',
    'pub.state.in_review': '审核中',
    'pub.state.published': '已发布',
    'pub.state.unpublished': '已下架',
    'pub.state.archived': '已归档',
    'pub.submit': '提交审核',
    'pub.search': '搜索',
    'pub.notices': '通知',
    'pub.markRead': '全部标为已读',
    'notice.course.approved': '“{title}”已通过审核，已在课程目录中上架。',
    'notice.course.rejected': '“{title}”未通过审核：{reason}',
    'notice.teacher.approved': '你已成为讲师：现在可以创建第一门课程。',
    'notice.teacher.rejected': '你的讲师申请未获批准：{reason}',
    'notice.material.approved': '“{title}”中的“{name}”已通过审核，学员现在可以看到。',
    'notice.material.rejected': '“{title}”中的“{name}”未通过审核：{reason}',
    'notice.order.paid': '已收到“{course}”的付款：{amount}。购买凭证已发送到你的邮箱。',
    'notice.refund.declined': '你对“{course}”的退款申请未获批准。',
    'notice.refund.succeeded': '“{course}”的退款 {amount} 已完成。',
    'notice.refund.failed': '“{course}”的退款 {amount} 未能完成，请联系讲师。',
    'pub.whenFor': '{when} · {minutes} 分钟',
    'pub.previewOnly': '仅可试听',
    'pub.searchHint': '课程名、讲师或主题',
    'pub.noMatch': '没有匹配的课程。',
    'pub.resubmit': '提交修改以供审核',
    'pub.unpublish': '下架',
    'pub.archive': '归档',
    'pub.archiveConfirm': '确定永久归档这门课程吗？已报名的学员仍可访问。',
    'pub.rejected': '未通过审核：{reason}',
    'pub.draftHint': '审核通过之前，只有你和审核员能看到这门课程。',
    'pub.reviewHint': '审核员正在审核这门课程。',
    'pub.teach.title': '在 Lectern 上授课',
    'pub.teach.hint': '告诉管理员你想教什么。讲师资格由管理员批准。',
    'pub.teach.message': '关于你和你的课程',
    'pub.teach.apply': '申请成为讲师',
    'pub.teach.pending': '你的申请正在等待管理员处理。',
    'pub.teach.approved': '你已成为讲师：可以在“课程”中创建第一门课程。',
    'pub.teach.rejected': '你的申请未获批准：{reason}。你可以再次申请。',
    'api.course_state': '课程当前的状态不允许此操作。',
    'api.own_course': '你不能审核自己的课程。',
    'api.last_admin': '至少需要保留一名管理员。',
    'api.account_disabled': '该账号已被停用。',
    'api.already_applied': '你已经提交过申请。',
    'api.own_account': '你不能对自己的账号执行此操作。',
    'api.conflict': '内容已被修改，请刷新后重试。',
  },
});

const enc = encodeURIComponent;

export function stateBadge(state, id) {
  if (!state) return null;
  return h('span', { class: `badge state-${state}`, i18n: `pub.state.${state}`, attrs: { 'data-state': state, id } });
}

// reviewPanel is the teacher's view of the course's review: its state, the
// last rejection's reason and the buttons that apply now. onChange gets
// the course as the server returns it.
export function reviewPanel(course, onChange) {
  const box = h('div', { class: 'review-panel', attrs: { id: 'review-panel' } });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const act = (path, id, key, { confirmKey, primary } = {}) => {
    const btn = h('button', {
      class: primary ? 'btn btn-primary' : 'btn', i18n: key, attrs: { type: 'button', id },
      on: {
        click: async () => {
          if (confirmKey && !window.confirm(t(confirmKey))) return;
          btn.disabled = true;
          error.replaceChildren();
          try {
            onChange(await api('POST', `/api/v1/courses/${enc(course.id)}/${path}`));
          } catch (err) {
            btn.disabled = false;
            showAPIError(error, err);
          }
        },
      },
    });
    return btn;
  };
  const s = course.state;
  box.append(stateBadge(s, 'course-state'));
  if (s === 'draft' && course.review_note) {
    box.append(h('p', { class: 'review-note', i18n: 'pub.rejected', vars: { reason: course.review_note }, attrs: { id: 'review-note' } }));
  }
  if (s === 'draft') box.append(h('p', { class: 'muted', i18n: 'pub.draftHint' }));
  if (s === 'in_review') box.append(h('p', { class: 'muted', i18n: 'pub.reviewHint' }));
  const buttons = h('div', { class: 'form-actions' });
  if (s === 'draft' || s === 'unpublished') buttons.append(act('submit', 'course-submit-review', 'pub.submit', { primary: true }));
  if (s === 'in_review' && course.submitted_revision !== undefined && course.submitted_revision !== course.revision) {
    buttons.append(act('submit', 'course-submit-review', 'pub.resubmit', { primary: true }));
  }
  if (s === 'published') buttons.append(act('unpublish', 'course-unpublish', 'pub.unpublish'));
  if (s !== 'archived') buttons.append(act('archive', 'course-archive', 'pub.archive', { confirmKey: 'pub.archiveConfirm' }));
  box.append(buttons, error);
  return box;
}

// teachCard is the profile's "apply to teach" section; for a teacher only
// the news that their application was approved, or nothing.
export async function teachCard(me) {
  let app = null;
  try {
    app = await api('GET', '/api/v1/me/teacher-application');
  } catch (err) {
    if (!(err instanceof APIError && err.status === 404)) throw err;
  }
  if (hasRole(me, 'teacher') && app?.status !== 'approved') return null;
  const card = h('section', { class: 'card', attrs: { id: 'teach-card' } }, h('h2', { i18n: 'pub.teach.title' }));
  const body = h('div');
  card.append(body);
  const render = () => {
    clear(body);
    if (app?.status === 'pending') {
      body.append(h('p', { i18n: 'pub.teach.pending', attrs: { id: 'teach-status', 'data-status': 'pending' } }));
      return;
    }
    if (app?.status === 'approved') {
      body.append(h('p', { i18n: 'pub.teach.approved', attrs: { id: 'teach-status', 'data-status': 'approved' } }));
      return;
    }
    if (app?.status === 'rejected') {
      body.append(h('p', { class: 'review-note', i18n: 'pub.teach.rejected', vars: { reason: app.reason }, attrs: { id: 'teach-status', 'data-status': 'rejected' } }));
    }
    const message = h('textarea', { attrs: { id: 'teach-message', rows: 3, maxlength: 2000 } });
    const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
    const form = h('form', { class: 'form' },
      h('p', { class: 'muted', i18n: 'pub.teach.hint' }),
      h('label', { class: 'field' }, h('span', { i18n: 'pub.teach.message' }), message),
      error,
      h('button', { class: 'btn btn-primary', i18n: 'pub.teach.apply', attrs: { type: 'submit', id: 'teach-apply' } }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.replaceChildren();
      try {
        app = await api('POST', '/api/v1/me/teacher-application', { message: message.value });
        render();
      } catch (err) {
        showAPIError(error, err);
      }
    });
    body.append(form);
  };
  render();
  return card;
}

// noticesCard lists the caller's unread notices (review and application
// decisions), each translated from its kind; null when there is none.
export async function noticesCard() {
  const data = await api('GET', '/api/v1/me/notices?limit=20').catch(() => null);
  const unread = (data?.notices || []).filter((n) => !n.read);
  if (!unread.length) return null;
  const list = h('ul', { class: 'notices' });
  for (const n of unread) {
    const item = h('li', { attrs: { 'data-notice': n.kind } }, h('span', { i18n: `notice.${n.kind}`, vars: noticeVars(n.vars) }));
    if (n.vars?.course_id) item.append(' ', h('a', { text: '→', attrs: { href: `/courses/${enc(n.vars.course_id)}` } }));
    list.append(item);
  }
  const card = h('section', { class: 'card notices-card', attrs: { id: 'notices' } }, h('h2', { i18n: 'pub.notices' }), list);
  card.append(h('button', {
    class: 'btn btn-small btn-quiet', i18n: 'pub.markRead', attrs: { type: 'button', id: 'notices-read' },
    on: { click: async () => { await api('POST', '/api/v1/me/notices/read').catch(() => {}); card.remove(); } },
  }));
  return card;
}
