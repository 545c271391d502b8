// The admin console (/admin): teacher applications, the review queues
// (courses, and new materials: adminreview.js),
// accounts (search, roles, disable/enable, sign out everywhere), courses
// by state, the lessons live now (adminlive.js), the audit log with its
// CSV export, and links to orders and refunds. Reviewers see the review queue only. Every action is checked
// again on the server (docs/api.md, "Administration").
import { h, clear } from '../lib/dom.js';
import { topbar, showAPIError, toast } from '../lib/shell.js';
import { api, currentAccount, hasRole } from '../lib/api.js';
import { addStrings, lang } from '../i18n.js';
import { stateBadge } from './publishing.js';
import { liveLessons } from './adminlive.js';
import { materialQueue, trustButton, trustedBadge, bounceBadge } from './adminreview.js';

addStrings({
  en: {
    'admin.title': 'Administration',
    'admin.applications': 'Teacher applications',
    'admin.noApplications': 'No application is waiting.',
    'admin.queue': 'Review queue',
    'admin.noQueue': 'No course is waiting for review.',
    'admin.approve': 'Approve',
    'admin.reject': 'Reject',
    'admin.reason': 'Reason (shown to the teacher)',
    'admin.reasonRequired': 'Give a reason for the rejection.',
    'admin.accounts': 'Accounts',
    'admin.search': 'Search by email or name',
    'admin.searchButton': 'Search',
    'admin.roles': 'Roles',
    'admin.saveRoles': 'Save roles',
    'admin.saved': 'Saved.',
    'admin.disable': 'Disable',
    'admin.enable': 'Enable',
    'admin.disabled': 'Disabled',
    'admin.signOutAll': 'Sign out everywhere',
    'admin.signedOut': 'Signed out of {n} sessions.',
    'admin.courses': 'Courses',
    'admin.allStates': 'All states',
    'admin.audit': 'Audit log',
    'admin.allActions': 'All actions',
    'admin.filter': 'Filter',
    'admin.exportCSV': 'Export CSV',
    'admin.noEntries': 'No entry.',
    'admin.money': 'Orders and refunds',
    'admin.refundsLink': 'Refund requests',
    'admin.revenueLink': 'Revenue',
    'admin.when': 'When',
    'admin.who': 'Who',
    'admin.what': 'What',
    'admin.target': 'Target',
    'admin.from': 'From',
    'admin.change': 'Before → after',
    'admin.forbidden': 'This page is for administrators and reviewers.',
    'role.admin': 'Admin',
    'role.teacher': 'Teacher',
    'role.student': 'Student',
    'role.reviewer': 'Reviewer',
  },
  'zh-CN': {
    'admin.title': '管理后台',
    'admin.applications': '讲师申请',
    'admin.noApplications': '没有待处理的申请。',
    'admin.queue': '审核队列',
    'admin.noQueue': '没有等待审核的课程。',
    'admin.approve': '通过',
    'admin.reject': '驳回',
    'admin.reason': '理由（讲师可见）',
    'admin.reasonRequired': '请填写驳回理由。',
    'admin.accounts': '账号',
    'admin.search': '按邮箱或姓名搜索',
    'admin.searchButton': '搜索',
    'admin.roles': '角色',
    'admin.saveRoles': '保存角色',
    'admin.saved': '已保存。',
    'admin.disable': '停用',
    'admin.enable': '启用',
    'admin.disabled': '已停用',
    'admin.signOutAll': '全部登出',
    'admin.signedOut': '已登出 {n} 个会话。',
    'admin.courses': '课程',
    'admin.allStates': '全部状态',
    'admin.audit': '审计日志',
    'admin.allActions': '全部操作',
    'admin.filter': '筛选',
    'admin.exportCSV': '导出 CSV',
    'admin.noEntries': '没有记录。',
    'admin.money': '订单与退款',
    'admin.refundsLink': '退款申请',
    'admin.revenueLink': '收入',
    'admin.when': '时间',
    'admin.who': '操作人',
    'admin.what': '操作',
    'admin.target': '对象',
    'admin.from': '来源',
    'admin.change': '变更前 → 变更后',
    'admin.forbidden': '此页面仅供管理员和审核员使用。',
    'role.admin': '管理员',
    'role.teacher': '讲师',
    'role.student': '学员',
    'role.reviewer': '审核员',
  },
});

const enc = encodeURIComponent;
const ROLES = ['admin', 'reviewer', 'teacher', 'student'];
const STATES = ['draft', 'in_review', 'published', 'unpublished', 'archived'];

function when(iso) {
  return iso ? new Intl.DateTimeFormat(lang(), { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso)) : '';
}

function section(id, titleKey, ...body) {
  return h('section', { class: 'section card', attrs: { id } }, h('h2', { i18n: titleKey }), ...body);
}

// decisionRow is approve / reject-with-reason for one item.
function decisionRow(idPrefix, onDecide) {
  const reason = h('input', { placeholder: 'admin.reason', attrs: { 'data-reason': '', maxlength: 2000 } });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const run = async (approve) => {
    error.replaceChildren();
    if (!approve && !reason.value.trim()) {
      error.append(h('span', { i18n: 'admin.reasonRequired' }));
      return;
    }
    try {
      await onDecide(approve, reason.value.trim());
    } catch (err) {
      showAPIError(error, err);
    }
  };
  return h('div', { class: 'decision' },
    h('button', { class: 'btn btn-primary btn-small', i18n: 'admin.approve', attrs: { type: 'button', 'data-approve': idPrefix }, on: { click: () => run(true) } }),
    reason,
    h('button', { class: 'btn btn-small', i18n: 'admin.reject', attrs: { type: 'button', 'data-reject': idPrefix }, on: { click: () => run(false) } }),
    error);
}

async function applications(list) {
  clear(list);
  const data = await api('GET', '/api/v1/admin/teacher-applications?status=pending');
  for (const a of data.applications || []) {
    list.append(h('li', { class: 'admin-row', attrs: { 'data-application': a.account_id, 'data-email': a.email } },
      h('div', {}, h('strong', { text: a.display_name }), ' ', h('span', { class: 'muted', text: a.email }),
        a.message ? h('p', { text: a.message }) : null),
      decisionRow(a.account_id, async (approve, reason) => {
        await api('POST', `/api/v1/admin/teacher-applications/${enc(a.account_id)}/decision`, { approve, reason });
        await applications(list);
      })));
  }
  if (!list.childElementCount) list.append(h('li', { class: 'muted', i18n: 'admin.noApplications' }));
}

async function queue(list) {
  clear(list);
  const data = await api('GET', '/api/v1/review/courses');
  for (const c of data.courses || []) {
    list.append(h('li', { class: 'admin-row', attrs: { 'data-review': c.id } },
      h('div', {},
        h('a', { text: c.title, attrs: { href: `/courses/${enc(c.id)}`, target: '_blank', rel: 'noopener' } }), ' ',
        h('span', { class: 'muted', text: c.teacher?.display_name || '' }),
        c.summary ? h('p', { class: 'muted', text: c.summary }) : null),
      decisionRow(c.id, async (approve, reason) => {
        await api('POST', `/api/v1/courses/${enc(c.id)}/review`, { decision: approve ? 'approve' : 'reject', reason, revision: c.revision });
        await queue(list);
      })));
  }
  if (!list.childElementCount) list.append(h('li', { class: 'muted', i18n: 'admin.noQueue' }));
}

function accountRow(a, me) {
  const row = h('li', { class: 'admin-row', attrs: { 'data-account': a.id, 'data-email': a.email } });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const boxes = ROLES.map((r) => {
    const box = h('input', { attrs: { type: 'checkbox', 'data-role': r } });
    box.checked = (a.roles || []).includes(r);
    return h('label', { class: 'check' }, box, h('span', { i18n: `role.${r}` }));
  });
  const guard = async (fn) => {
    error.replaceChildren();
    try {
      await fn();
    } catch (err) {
      showAPIError(error, err);
    }
  };
  const save = h('button', {
    class: 'btn btn-small btn-primary', i18n: 'admin.saveRoles', attrs: { type: 'button', 'data-save-roles': '' },
    on: {
      click: () => guard(async () => {
        const roles = [...row.querySelectorAll('[data-role]')].filter((b) => b.checked).map((b) => b.dataset.role);
        const updated = await api('PUT', `/api/v1/admin/accounts/${enc(a.id)}/roles`, { roles });
        row.replaceWith(accountRow(updated, me));
        toast('admin.saved', { kind: 'ok', ms: 3000 });
      }),
    },
  });
  const toggle = h('button', {
    class: 'btn btn-small', i18n: a.disabled ? 'admin.enable' : 'admin.disable', attrs: { type: 'button', 'data-toggle-disabled': '' },
    on: {
      click: () => guard(async () => {
        const updated = await api('POST', `/api/v1/admin/accounts/${enc(a.id)}/${a.disabled ? 'enable' : 'disable'}`);
        row.replaceWith(accountRow(updated, me));
      }),
    },
  });
  const signOut = h('button', {
    class: 'btn btn-small btn-quiet', i18n: 'admin.signOutAll', attrs: { type: 'button', 'data-sign-out': '' },
    on: {
      click: () => guard(async () => {
        const r = await api('DELETE', `/api/v1/admin/accounts/${enc(a.id)}/sessions`);
        toast('admin.signedOut', { vars: { n: r.revoked }, kind: 'ok', ms: 3000 });
      }),
    },
  });
  const trust = trustButton(a, guard, (updated) => row.replaceWith(accountRow(updated, me)));
  row.append(
    h('div', {}, h('strong', { text: a.display_name }), ' ', h('span', { class: 'muted', text: a.email }),
      a.disabled ? h('span', { class: 'badge', i18n: 'admin.disabled' }) : null, ' ', trustedBadge(a), ' ', bounceBadge(a)),
    h('div', { class: 'roles' }, ...boxes, save),
    a.id === me.id ? h('div', { class: 'form-actions' }, trust) : h('div', { class: 'form-actions' }, toggle, trust, signOut),
    error);
  return row;
}

async function accounts(list, q, me) {
  clear(list);
  const data = await api('GET', `/api/v1/admin/accounts?limit=50${q ? `&q=${enc(q)}` : ''}`);
  for (const a of data.accounts || []) list.append(accountRow(a, me));
}

async function courses(list, state) {
  clear(list);
  const data = await api('GET', `/api/v1/admin/courses?limit=100${state ? `&state=${enc(state)}` : ''}`);
  for (const c of data.courses || []) {
    list.append(h('li', { class: 'admin-row', attrs: { 'data-course': c.id } },
      h('a', { text: c.title, attrs: { href: `/courses/${enc(c.id)}` } }), ' ',
      h('span', { class: 'muted', text: c.teacher?.display_name || '' }), ' ', stateBadge(c.state)));
  }
}

function auditQuery(form) {
  const p = new URLSearchParams();
  const action = form.querySelector('[name=action]').value;
  const q = form.querySelector('[name=q]').value.trim();
  if (action) p.set('action', action);
  if (q) p.set('q', q);
  return p;
}

async function audit(body, params) {
  clear(body);
  params.set('limit', '100');
  const data = await api('GET', `/api/v1/admin/audit?${params}`);
  for (const e of data.entries || []) {
    body.append(h('tr', { attrs: { 'data-audit': e.action } },
      h('td', { text: when(e.at) }), h('td', { text: e.actor_email }), h('td', { text: e.action }),
      h('td', { text: `${e.target_type} ${e.target_id}` }), h('td', { text: e.ip }),
      h('td', { class: 'audit-change', text: `${e.before || '–'} → ${e.after || '–'}` })));
  }
  if (!body.childElementCount) body.append(h('tr', {}, h('td', { i18n: 'admin.noEntries', attrs: { colspan: 6 } })));
  return data.actions || [];
}

export async function mountAdmin(root) {
  const main = h('main', { class: 'page' }, h('h1', { i18n: 'admin.title' }));
  root.append(topbar(), main);
  const me = await currentAccount().catch(() => null);
  if (!me) {
    location.assign(`/signin?next=${enc('/admin')}`);
    return;
  }
  const admin = hasRole(me, 'admin');
  if (!admin && !hasRole(me, 'reviewer')) {
    main.append(h('p', { class: 'form-error', i18n: 'admin.forbidden' }));
    return;
  }
  const queueList = h('ul', { class: 'admin-list', attrs: { id: 'review-queue' } });
  const materialList = h('ul', { class: 'admin-list', attrs: { id: 'material-queue' } });
  main.append(section('admin-queue', 'admin.queue', queueList),
    section('admin-material-queue', 'admin.materialQueue', materialList));
  const loads = [queue(queueList), materialQueue(materialList, decisionRow)];
  if (admin) {
    const appList = h('ul', { class: 'admin-list', attrs: { id: 'teacher-applications' } });
    main.insertBefore(section('admin-applications', 'admin.applications', appList), main.children[1]);
    loads.push(applications(appList));

    const accList = h('ul', { class: 'admin-list', attrs: { id: 'account-list' } });
    const search = h('input', { placeholder: 'admin.search', attrs: { id: 'account-search', type: 'search' } });
    const searchForm = h('form', { class: 'form-row' }, search,
      h('button', { class: 'btn', i18n: 'admin.searchButton', attrs: { type: 'submit', id: 'account-search-button' } }));
    searchForm.addEventListener('submit', (e) => { e.preventDefault(); accounts(accList, search.value.trim(), me).catch(() => {}); });
    main.append(section('admin-accounts', 'admin.accounts', searchForm, accList));
    loads.push(accounts(accList, '', me));

    const liveList = h('ul', { class: 'admin-list', attrs: { id: 'live-lessons' } });
    main.append(section('admin-live', 'admin.live',
      h('button', { class: 'btn btn-small', i18n: 'admin.refresh', attrs: { type: 'button', id: 'live-refresh' }, on: { click: () => liveLessons(liveList).catch(() => {}) } }),
      liveList));
    loads.push(liveLessons(liveList));

    const courseList = h('ul', { class: 'admin-list', attrs: { id: 'admin-courses' } });
    const stateSel = h('select', { attrs: { id: 'course-state-filter' }, on: { change: () => courses(courseList, stateSel.value).catch(() => {}) } },
      h('option', { i18n: 'admin.allStates', attrs: { value: '' } }),
      ...STATES.map((s) => h('option', { i18n: `pub.state.${s}`, attrs: { value: s } })));
    main.append(section('admin-courses-section', 'admin.courses', stateSel, courseList));
    loads.push(courses(courseList, ''));

    main.append(section('admin-money', 'admin.money',
      h('p', {}, h('a', { class: 'btn', i18n: 'admin.refundsLink', attrs: { href: '/refunds' } }), ' ',
        h('a', { class: 'btn', i18n: 'admin.revenueLink', attrs: { href: '/revenue' } }))));

    const actionSel = h('select', { attrs: { name: 'action', id: 'audit-action' } }, h('option', { i18n: 'admin.allActions', attrs: { value: '' } }));
    const auditForm = h('form', { class: 'form-row' }, actionSel,
      h('input', { placeholder: 'admin.search', attrs: { name: 'q', type: 'search', id: 'audit-q' } }),
      h('button', { class: 'btn', i18n: 'admin.filter', attrs: { type: 'submit' } }));
    const csv = h('a', { class: 'btn', i18n: 'admin.exportCSV', attrs: { href: '/api/v1/admin/audit.csv', id: 'audit-csv', download: '' } });
    const tbody = h('tbody', { attrs: { id: 'audit-rows' } });
    const table = h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, ...['admin.when', 'admin.who', 'admin.what', 'admin.target', 'admin.from', 'admin.change']
        .map((k) => h('th', { i18n: k })))), tbody);
    auditForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const p = auditQuery(auditForm);
      csv.setAttribute('href', `/api/v1/admin/audit.csv?${p}`);
      audit(tbody, p).catch(() => {});
    });
    main.append(section('admin-audit', 'admin.audit', auditForm, csv, h('div', { class: 'table-wrap' }, table)));
    loads.push(audit(tbody, new URLSearchParams()).then((actions) => {
      for (const a of actions) actionSel.append(h('option', { text: a, attrs: { value: a } }));
    }));
  }
  await Promise.allSettled(loads);
}
