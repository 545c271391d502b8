// Accounts (docs/api.md): sign up, sign in, password reset (request and
// confirm), and the profile page (display name, language, avatar,
// password change, sign out).
import { h, tr } from '../lib/dom.js';
import { topbar, safeNext, showAPIError, signOut } from '../lib/shell.js';
import { api, putBytes, currentAccount, APIError } from '../lib/api.js';
import { LANGUAGES, lang, setLang } from '../i18n.js';
import { teachCard } from './publishing.js';
import { emailChangeCard, emailStatus } from './verify.js';
import { bioField } from './teacherprofile.js';

const AVATAR_MAX = 1 << 20;

function field(key, input, hintKey) {
  return h('label', { class: 'field' }, h('span', { i18n: key }), input,
    hintKey ? h('small', { class: 'field-hint', i18n: hintKey }) : null);
}

function input(id, type = 'text', attrs = {}) {
  return h('input', { attrs: { id, name: id, type, ...attrs } });
}

// page builds a narrow page with a card holding a form.
function page(root, titleKey, ...body) {
  root.append(topbar(), h('main', { class: 'page narrow' },
    h('h1', { i18n: titleKey }), h('div', { class: 'card' }, ...body)));
}

// submitting disables a form's button while fn runs and shows its error.
function onSubmit(form, errorEl, fn) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const btn = form.querySelector('button[type="submit"]');
    errorEl.replaceChildren();
    if (btn) btn.disabled = true;
    try {
      await fn();
    } catch (err) {
      showAPIError(errorEl, err);
    } finally {
      if (btn) btn.disabled = false;
    }
  });
}

function languageSelect(id, value, withNone) {
  const sel = h('select', { attrs: { id, name: id } },
    withNone ? h('option', { i18n: 'account.languageNone', attrs: { value: '' } }) : null,
    ...LANGUAGES.map((l) => h('option', { text: l.label, attrs: { value: l.code, lang: l.code } })));
  sel.value = value;
  return sel;
}

export function mountSignIn(root, q) {
  const email = input('signin-email', 'email', { autocomplete: 'email', required: true });
  const password = input('signin-password', 'password', { autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const form = h('form', { class: 'form' },
    field('account.email', email), field('account.password', password), error,
    h('button', { class: 'btn btn-primary', i18n: 'nav.signIn', attrs: { type: 'submit', id: 'signin-submit' } }));
  onSubmit(form, error, async () => {
    await api('POST', '/api/v1/sessions', { email: email.value.trim(), password: password.value });
    location.assign(safeNext(q));
  });
  page(root, 'nav.signIn', form,
    h('p', { class: 'form-links' },
      h('a', { i18n: 'account.forgot', attrs: { href: '/forgot-password' } }),
      h('a', { i18n: 'account.noAccount', attrs: { href: `/signup${location.search}` } })));
}

export function mountSignUp(root, q) {
  const name = input('signup-name', 'text', { autocomplete: 'name', required: true, maxlength: 100 });
  const email = input('signup-email', 'email', { autocomplete: 'email', required: true });
  const password = input('signup-password', 'password', { autocomplete: 'new-password', required: true, minlength: 10 });
  const language = languageSelect('signup-language', lang(), false);
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const form = h('form', { class: 'form' },
    field('account.displayName', name), field('account.email', email),
    field('account.password', password, 'account.passwordRule'), field('account.language', language), error,
    h('button', { class: 'btn btn-primary', i18n: 'account.create', attrs: { type: 'submit', id: 'signup-submit' } }));
  onSubmit(form, error, async () => {
    await api('POST', '/api/v1/accounts', {
      email: email.value.trim(), password: password.value, display_name: name.value.trim(), language: language.value,
    });
    setLang(language.value);
    location.assign(safeNext(q));
  });
  page(root, 'nav.signUp', form,
    h('p', { class: 'form-links' }, h('a', { i18n: 'account.haveAccount', attrs: { href: `/signin${location.search}` } })));
}

export function mountForgot(root) {
  const email = input('reset-email', 'email', { autocomplete: 'email', required: true });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const done = h('p', { class: 'form-ok', attrs: { hidden: true, role: 'status', id: 'reset-sent' }, i18n: 'account.resetSent' });
  const form = h('form', { class: 'form' },
    h('p', { class: 'muted', i18n: 'account.resetLead' }), field('account.email', email), error, done,
    h('button', { class: 'btn btn-primary', i18n: 'account.resetSend', attrs: { type: 'submit', id: 'reset-submit' } }));
  onSubmit(form, error, async () => {
    await api('POST', '/api/v1/password-resets', { email: email.value.trim() });
    done.hidden = false;
  });
  page(root, 'account.resetTitle', form);
}

export function mountResetConfirm(root, q) {
  const password = input('reset-password', 'password', { autocomplete: 'new-password', required: true, minlength: 10 });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const done = h('p', { class: 'form-ok', attrs: { hidden: true, role: 'status' } },
    h('span', { i18n: 'account.resetDone' }), ' ', h('a', { i18n: 'nav.signIn', attrs: { href: '/signin' } }));
  const form = h('form', { class: 'form' },
    field('account.newPassword', password, 'account.passwordRule'), error, done,
    h('button', { class: 'btn btn-primary', i18n: 'account.resetSet', attrs: { type: 'submit' } }));
  onSubmit(form, error, async () => {
    await api('POST', '/api/v1/password-resets/confirm', { token: q.get('token') || '', new_password: password.value });
    done.hidden = false;
    form.querySelector('button[type="submit"]').hidden = true;
  });
  page(root, 'account.resetTitle', form);
}

// mountProfile is /account: profile, avatar, password, sign out.
export async function mountProfile(root) {
  const main = h('main', { class: 'page narrow' }, h('h1', { i18n: 'account.profile' }));
  root.append(topbar(), main);
  let me;
  try {
    me = await api('GET', '/api/v1/me');
  } catch (err) {
    if (err instanceof APIError && err.status === 401) {
      location.assign(`/signin?next=${encodeURIComponent('/account')}`);
      return;
    }
    main.append(h('p', { class: 'form-error', i18n: 'api.failed' }));
    return;
  }

  // Profile.
  const name = input('profile-name', 'text', { maxlength: 100, required: true });
  name.value = me.display_name || '';
  const language = languageSelect('profile-language', me.language || '', true);
  if (![...language.options].some((o) => o.value === language.value)) language.value = '';
  const perr = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const pok = h('p', { class: 'form-ok', i18n: 'account.saved', attrs: { hidden: true, role: 'status', id: 'profile-saved' } });
  const bio = (me.roles || []).includes('teacher') ? bioField(me) : null;
  const profile = h('form', { class: 'form' },
    emailStatus(me),
    field('account.displayName', name), field('account.language', language), bio?.field, perr, pok,
    h('button', { class: 'btn btn-primary', i18n: 'account.save', attrs: { type: 'submit', id: 'profile-save' } }));
  onSubmit(profile, perr, async () => {
    pok.hidden = true;
    const change = { display_name: name.value.trim(), language: language.value };
    if (bio) change.bio = bio.area.value;
    me = await api('PATCH', '/api/v1/me', change);
    if (language.value) setLang(language.value);
    currentAccount({ refresh: true });
    pok.hidden = false;
  });

  // Avatar.
  const img = h('img', { class: 'avatar-large', attrs: { alt: '', id: 'avatar-img' } });
  const placeholder = h('span', { class: 'avatar avatar-large', text: (me.display_name || '?').charAt(0).toUpperCase() });
  const file = h('input', { attrs: { type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp', id: 'avatar-file', hidden: true } });
  const aerr = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const removeBtn = h('button', { class: 'btn btn-quiet', i18n: 'account.avatarRemove', attrs: { type: 'button' } });
  const showAvatar = () => {
    img.hidden = !me.avatar_url;
    placeholder.hidden = !!me.avatar_url;
    removeBtn.hidden = !me.avatar_url;
    if (me.avatar_url) img.src = me.avatar_url;
  };
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    aerr.replaceChildren();
    if (!f) return;
    if (f.size > AVATAR_MAX) { tr(aerr, 'api.image_too_large'); return; }
    try {
      me = await putBytes('/api/v1/me/avatar', f);
      showAvatar();
      currentAccount({ refresh: true });
    } catch (err) {
      showAPIError(aerr, err);
    }
    file.value = '';
  });
  removeBtn.addEventListener('click', async () => {
    try {
      await api('DELETE', '/api/v1/me/avatar');
      me = { ...me, avatar_url: '' };
      showAvatar();
    } catch (err) {
      showAPIError(aerr, err);
    }
  });
  showAvatar();
  const avatar = h('div', { class: 'avatar-row' }, img, placeholder,
    h('div', { class: 'avatar-actions' },
      h('button', { class: 'btn', i18n: 'account.avatarUpload', attrs: { type: 'button' }, on: { click: () => file.click() } }),
      removeBtn, file, h('small', { class: 'field-hint', i18n: 'account.avatarHint' })));

  // Password.
  const current = input('password-current', 'password', { autocomplete: 'current-password', required: true });
  const next = input('password-new', 'password', { autocomplete: 'new-password', required: true, minlength: 10 });
  const werr = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const wok = h('p', { class: 'form-ok', i18n: 'account.passwordChanged', attrs: { hidden: true, role: 'status' } });
  const pw = h('form', { class: 'form' },
    field('account.currentPassword', current), field('account.newPassword', next, 'account.passwordRule'), werr, wok,
    h('button', { class: 'btn btn-primary', i18n: 'account.changePassword', attrs: { type: 'submit' } }));
  onSubmit(pw, werr, async () => {
    wok.hidden = true;
    await api('PUT', '/api/v1/me/password', { current_password: current.value, new_password: next.value });
    current.value = '';
    next.value = '';
    wok.hidden = false;
  });

  const teach = await teachCard(me).catch(() => null);
  main.append(
    h('section', { class: 'card' }, h('h2', { i18n: 'account.avatar' }), avatar, aerr),
    ...(teach ? [teach] : []),
    h('section', { class: 'card' }, h('h2', { i18n: 'account.details' }), profile),
    h('section', { class: 'card' }, h('h2', { i18n: 'account.password' }), pw),
    emailChangeCard((acc) => { me = acc; profile.querySelector('#email-status')?.replaceWith(emailStatus(acc)); }),
    h('p', {}, h('button', { class: 'btn btn-danger', i18n: 'nav.signOut', attrs: { type: 'button', id: 'signout' }, on: { click: () => signOut() } })));
}
