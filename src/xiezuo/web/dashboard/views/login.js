// Log in with a token: kept in localStorage; the shell checks it with GET /me.
import { setToken } from '../api.js';
import { t } from '../i18n.js';
import { h, notice } from '../util.js';

let message = null;

export function setMessage(text) {
  message = text;
}

export function render({ navigate }) {
  const input = h('input', {
    id: 'token',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
  });
  const form = h('form', {
    class: 'login',
    onsubmit: (event) => {
      event.preventDefault();
      message = null;
      setToken(input.value.trim());
      navigate('orders');
    },
  },
    h('h1', {}, t('login.title')),
    message ? notice(message, 'error') : null,
    h('p', {}, t('login.intro')),
    h('label', { for: 'token' }, t('login.token')),
    input,
    h('button', { type: 'submit', id: 'login-submit' }, t('login.submit')),
  );
  return h('section', { class: 'view view-login' }, form);
}
