// Sign up and sign in. Filled in against docs/api.md.
import { h } from '../lib/dom.js';
import { topbar } from '../lib/shell.js';

export function mountSignIn(root) {
  root.append(topbar(), h('main', { class: 'page narrow' }, h('h1', { i18n: 'nav.signIn' })));
}

export function mountSignUp(root) {
  root.append(topbar(), h('main', { class: 'page narrow' }, h('h1', { i18n: 'nav.signUp' })));
}
