// Address verification (docs/api.md, "Address verification"): the page a
// mailed link opens (/verify-email?token=…), and the profile's line that
// says whether the address is verified, with a button to mail a new link.
import { h } from '../lib/dom.js';
import { topbar, showAPIError } from '../lib/shell.js';
import { api } from '../lib/api.js';
import { addStrings } from '../i18n.js';

addStrings({
  en: {
    'verify.title': 'Email address',
    'verify.checking': 'Checking the link…',
    'verify.done': 'Your address {email} is verified. Thank you!',
    'verify.failed': 'This link is not valid any more. Sign in and ask for a new one from your profile.',
    'verify.verified': 'Verified',
    'verify.unverified': 'Not verified yet: open the link we mailed you.',
    'verify.resend': 'Send the link again',
    'verify.sent': 'A new link is on its way.',
    'verify.toCourses': 'Go to my courses',
    'verify.bounces': 'Mail to this address bounces ({reason}), so we keep it unsent. Check that the address is right and its mailbox accepts mail, then send the verification link again, or change the address below.',
    'verify.changeTitle': 'Change email address',
    'verify.newEmail': 'New email address',
    'verify.currentPassword': 'Current password',
    'verify.change': 'Change address',
    'verify.changed': 'Your address is now {email}: open the link we mailed there to verify it.',
  },
  'zh-CN': {
    'verify.title': '邮箱地址',
    'verify.checking': '正在验证链接…',
    'verify.done': '你的邮箱地址 {email} 已验证，谢谢！',
    'verify.failed': '这个链接已失效。请登录后在个人资料页重新获取验证链接。',
    'verify.verified': '已验证',
    'verify.unverified': '尚未验证：请打开我们发送到你邮箱的链接。',
    'verify.resend': '重新发送验证链接',
    'verify.sent': '新的验证链接已发送。',
    'verify.toCourses': '前往我的课程',
    'verify.bounces': '发往此地址的邮件被退回（{reason}），因此暂不发送。请确认地址无误且邮箱可以收信，然后重新发送验证链接，或在下方更换邮箱地址。',
    'verify.changeTitle': '更换邮箱地址',
    'verify.newEmail': '新邮箱地址',
    'verify.currentPassword': '当前密码',
    'verify.change': '更换地址',
    'verify.changed': '你的邮箱地址已改为 {email}：请打开我们发到该地址的链接完成验证。',
  },
});

// emailStatus is the profile's address with its verification state.
export function emailStatus(me) {
  const line = h('p', { class: 'muted email-status', attrs: { id: 'email-status', 'data-verified': String(!!me.email_verified) } },
    h('span', { text: me.email }), ' ');
  if (me.email_verified && !me.email_bounces) {
    line.append(h('span', { class: 'badge badge-ok', i18n: 'verify.verified' }));
    return line;
  }
  const error = h('span', { class: 'form-error', attrs: { role: 'alert' } });
  const btn = h('button', {
    class: 'btn btn-small', i18n: 'verify.resend', attrs: { type: 'button', id: 'verify-resend' },
    on: {
      click: async () => {
        btn.disabled = true;
        try {
          await api('POST', '/api/v1/me/email-verification');
          btn.replaceWith(h('span', { class: 'form-ok', i18n: 'verify.sent', attrs: { id: 'verify-sent' } }));
        } catch (err) {
          btn.disabled = false;
          showAPIError(error, err);
        }
      },
    },
  });
  if (me.email_bounces) {
    line.dataset.bounces = 'true';
    line.append(h('span', { class: 'form-error', i18n: 'verify.bounces', vars: { reason: me.email_bounce || '' }, attrs: { id: 'email-bounces' } }), ' ', btn, error);
    return line;
  }
  line.append(h('span', { i18n: 'verify.unverified' }), ' ', btn, error);
  return line;
}

// emailChangeCard lets the account move to another address with its
// current password (PUT /api/v1/me/email); onChanged gets the account.
export function emailChangeCard(onChanged) {
  const email = h('input', { attrs: { id: 'email-new', type: 'email', autocomplete: 'email', required: true } });
  const password = h('input', { attrs: { id: 'email-password', type: 'password', autocomplete: 'current-password', required: true } });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const ok = h('p', { class: 'form-ok', attrs: { role: 'status', id: 'email-changed' } });
  const form = h('form', { class: 'form' },
    h('label', { class: 'field' }, h('span', { i18n: 'verify.newEmail' }), email),
    h('label', { class: 'field' }, h('span', { i18n: 'verify.currentPassword' }), password),
    error, ok,
    h('button', { class: 'btn', i18n: 'verify.change', attrs: { type: 'submit', id: 'email-change' } }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.replaceChildren();
    ok.replaceChildren();
    try {
      const acc = await api('PUT', '/api/v1/me/email', { email: email.value.trim(), current_password: password.value });
      password.value = '';
      ok.append(h('span', { i18n: 'verify.changed', vars: { email: acc.email } }));
      onChanged?.(acc);
    } catch (err) {
      showAPIError(error, err);
    }
  });
  return h('section', { class: 'card', attrs: { id: 'email-change-card' } }, h('h2', { i18n: 'verify.changeTitle' }), form);
}

// mountVerifyEmail confirms the token in the URL.
export async function mountVerifyEmail(root, q) {
  const status = h('p', { i18n: 'verify.checking', attrs: { id: 'verify-result' } });
  root.append(topbar(), h('main', { class: 'page narrow' }, h('h1', { i18n: 'verify.title' }), h('div', { class: 'card' }, status)));
  try {
    const res = await api('POST', '/api/v1/email-verifications/confirm', { token: q.get('token') || '' });
    status.replaceWith(h('p', { class: 'form-ok', i18n: 'verify.done', vars: { email: res.email }, attrs: { id: 'verify-result', 'data-ok': 'true' } }),
      h('a', { class: 'btn btn-primary', i18n: 'verify.toCourses', attrs: { href: '/courses' } }));
  } catch {
    status.replaceWith(h('p', { class: 'form-error', i18n: 'verify.failed', attrs: { id: 'verify-result', 'data-ok': 'false' } }));
  }
}
