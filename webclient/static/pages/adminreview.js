// The admin console's review of new materials (docs/api.md, "Review of new
// materials"): each material added to a published course by a teacher who
// is not trusted, with its course and teacher, a link to open it, and
// approve / reject with a reason the teacher sees. Also the trust toggle
// and the badges (trusted, mail bounces) of an account row.
import { h, clear } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { addStrings } from '../i18n.js';

const enc = encodeURIComponent;

addStrings({
  en: {
    'admin.materialQueue': 'New materials waiting for review',
    'admin.noMaterialQueue': 'No material is waiting for review.',
    'admin.materialRow': '{course} · {teacher}',
    'admin.openMaterial': 'Open',
    'admin.trust': 'Trust (no review of new materials)',
    'admin.untrust': 'Withdraw trust',
    'admin.trusted': 'Trusted',
    'admin.bounces': 'Mail bounces',
    'api.not_pending': 'This material is no longer waiting for review; reload.',
  },
  'zh-CN': {
    'admin.materialQueue': '待审核的新资料',
    'admin.noMaterialQueue': '没有等待审核的资料。',
    'admin.materialRow': '{course} · {teacher}',
    'admin.openMaterial': '打开',
    'admin.trust': '设为可信（新资料免审核）',
    'admin.untrust': '取消可信',
    'admin.trusted': '可信',
    'admin.bounces': '邮件被退回',
    'api.not_pending': '这份资料已不在待审核状态，请刷新。',
  },
});

// materialQueue fills list with the materials waiting for review;
// decisionRow(id, onDecide) is the console's approve / reject control.
export async function materialQueue(list, decisionRow) {
  const data = await api('GET', '/api/v1/review/materials');
  clear(list);
  for (const m of data.materials || []) {
    const open = h('button', {
      class: 'btn btn-small btn-quiet', i18n: 'admin.openMaterial', attrs: { type: 'button', 'data-open-material': m.id },
      on: {
        click: async () => {
          const l = await api('GET', `/api/v1/materials/${enc(m.id)}/link`);
          window.open(l.url, '_blank', 'noopener');
        },
      },
    });
    list.append(h('li', { class: 'admin-row', attrs: { 'data-material-review': m.id } },
      h('div', {}, h('strong', { text: m.name }), ' ', open, ' ',
        h('a', { class: 'muted', i18n: 'admin.materialRow', vars: { course: m.course_title, teacher: m.teacher_name },
          attrs: { href: `/courses/${enc(m.course_id)}/materials`, target: '_blank', rel: 'noopener' } })),
      decisionRow(m.id, async (approve, reason) => {
        await api('POST', `/api/v1/materials/${enc(m.id)}/review`, { decision: approve ? 'approve' : 'reject', reason });
        await materialQueue(list, decisionRow);
      })));
  }
  if (!list.childElementCount) list.append(h('li', { class: 'muted', i18n: 'admin.noMaterialQueue' }));
}

// trustButton toggles account a's trust; onUpdated gets the new account.
export function trustButton(a, guard, onUpdated) {
  return h('button', {
    class: 'btn btn-small', i18n: a.trusted ? 'admin.untrust' : 'admin.trust', attrs: { type: 'button', 'data-toggle-trust': '' },
    on: {
      click: () => guard(async () => {
        onUpdated(await api('POST', `/api/v1/admin/accounts/${enc(a.id)}/trust`, { trusted: !a.trusted }));
      }),
    },
  });
}

// trustedBadge marks a trusted account.
export function trustedBadge(a) {
  return a.trusted ? h('span', { class: 'badge', i18n: 'admin.trusted', attrs: { 'data-trusted': '' } }) : null;
}

// bounceBadge marks an account whose address bounces, with the refusal
// as its title.
export function bounceBadge(a) {
  return a.email_bounces
    ? h('span', { class: 'badge status-failed', i18n: 'admin.bounces', attrs: { 'data-bounces': '', title: a.email_bounce || '' } })
    : null;
}
