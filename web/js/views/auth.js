// #/login and #/signup. Only "is it filled in" is checked here; the rules (email format,
// password length) are the server's, and its field errors are shown beside the fields.

import * as api from '../api.js';
import { h } from '../dom.js';
import { busy, clearErrors, field, formAlert, showError, showFieldErrors } from '../forms.js';
import { fieldSentence } from '../messages.js';
import { navigate, takeReturnTo } from '../router.js';
import * as session from '../session.js';
import { toast } from '../toast.js';

function missing(form, names) {
  const out = {};
  for (const name of names) {
    const control = form.elements.namedItem(name);
    if (!control.value.trim()) out[name] = [fieldSentence(name, 'is required')];
  }
  return out;
}

async function signIn(email, password) {
  const { accessToken, expiresIn } = await api.login(email, password);
  session.begin(accessToken, expiresIn);
  // The token already names the person; the profile adds what the token may not carry.
  api.profile().then(session.setProfile).catch(() => {});
}

function page(main, { title, intro, form, footer }) {
  main.append(
    h(
      'section',
      { class: 'container page auth-page' },
      h(
        'div',
        { class: 'card auth-card' },
        h('div', { class: 'auth-badge', 'aria-hidden': 'true' }, '🍔'),
        h('h1', {}, title),
        h('p', { class: 'muted' }, intro),
        form,
        h('p', { class: 'auth-switch' }, footer),
      ),
    ),
  );
}

export function loginPage(main) {
  document.title = 'Sign in · Comanda';
  if (session.signedIn()) {
    navigate(takeReturnTo());
    return null;
  }
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');
  const form = h(
    'form',
    { class: 'stack', novalidate: true, id: 'login-form' },
    formAlert(),
    field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'email', required: true }),
    field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const empty = missing(form, ['email', 'password']);
    if (Object.keys(empty).length) return showFieldErrors(form, empty);
    const done = busy(submit, 'Signing in…');
    try {
      await signIn(form.elements.email.value.trim(), form.elements.password.value);
      toast(`Welcome back, ${session.user().name || session.user().email}!`, { kind: 'success', timeout: 4000 });
      navigate(takeReturnTo());
    } catch (error) {
      done();
      showError(form, error);
    }
  });
  page(main, {
    title: 'Welcome back',
    intro: 'Sign in to place your order and follow it.',
    form,
    footer: ['New to Comanda? ', h('a', { href: '#/signup' }, 'Create an account')],
  });
  return null;
}

export function signupPage(main) {
  document.title = 'Create an account · Comanda';
  if (session.signedIn()) {
    navigate(takeReturnTo());
    return null;
  }
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Create account');
  const form = h(
    'form',
    { class: 'stack', novalidate: true, id: 'signup-form' },
    formAlert(),
    field({ label: 'Name', name: 'name', autocomplete: 'name', required: true, maxlength: 100 }),
    field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'email', required: true }),
    field({
      label: 'Password',
      name: 'password',
      type: 'password',
      autocomplete: 'new-password',
      required: true,
      hint: 'At least 8 characters.',
    }),
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const empty = missing(form, ['name', 'email', 'password']);
    if (Object.keys(empty).length) return showFieldErrors(form, empty);
    const name = form.elements.name.value.trim();
    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
    const done = busy(submit, 'Creating your account…');
    try {
      await api.register(email, password, name);
    } catch (error) {
      done();
      showError(form, error);
      return;
    }
    try {
      await signIn(email, password);
      toast(`Welcome to Comanda, ${name}!`, { kind: 'success', timeout: 4000 });
      navigate(takeReturnTo());
    } catch {
      // The account exists; only the automatic sign-in failed.
      toast('Your account is ready. Please sign in.', { kind: 'success' });
      navigate('#/login');
    }
  });
  page(main, {
    title: 'Create your account',
    intro: 'It takes a few seconds, and your orders will be waiting for you.',
    form,
    footer: ['Already have an account? ', h('a', { href: '#/login' }, 'Sign in')],
  });
  return null;
}
