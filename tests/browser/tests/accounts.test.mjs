// Signing up, in and out: the server's validation errors shown in words beside their fields
// (never raw JSON), nothing created by a refused sign-up, and a clean logout.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api, assertNoProblems, eventually, launch, login, newPerson, openPage, registerAndLogin, sessionToken, signInWithForm,
} from '../lib/harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(() => browser?.close());

async function signupForm(page) {
  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Create your account' }).waitFor();
}

/** The error text shown for a field, checked to be tied to its control for screen readers. */
async function fieldError(page, label) {
  const control = page.getByLabel(label, { exact: true });
  await eventually(async () => (await control.getAttribute('aria-invalid')) === 'true', { message: `${label} marked invalid` });
  const describedBy = (await control.getAttribute('aria-describedby')).split(' ');
  const errorId = describedBy.find((id) => id.endsWith('-error'));
  return page.locator(`#${errorId}`).textContent();
}

async function assertNoRawJson(page) {
  const text = await page.locator('body').innerText();
  for (const raw of ['{', '"code"', 'VALIDATION_FAILED', 'problem', 'status']) {
    assert.ok(!text.includes(raw), `page shows "${raw}":\n${text}`);
  }
}

test('a short password and a bad email are explained beside their fields, and no account is made', async () => {
  const page = await openPage(browser);
  const person = newPerson('Carmen Soto');
  await signupForm(page);
  await page.getByLabel('Name').fill(person.name);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();

  assert.equal(await fieldError(page, 'Password'), 'Password must be 8 to 128 characters.');
  assert.match(await page.locator('.form-alert').textContent(), /check the highlighted fields/);
  const register = page.apiCalls.filter((c) => c.path === '/api/register');
  assert.equal(register.length, 1);
  assert.equal((await register[0].request.response()).status(), 400);
  assert.equal(await page.getByLabel('Password').evaluate((el) => el === document.activeElement), true, 'focus on the field to fix');
  await assertNoRawJson(page);

  // Nothing was created: signing in fails, and the email is still free.
  assert.equal((await api('/login', { method: 'POST', body: { email: person.email, password: 'short' } })).status, 401);
  await registerAndLogin(person);

  // A bad email, fixed in place.
  const other = newPerson('Carmen Soto');
  await page.getByLabel('Email').fill('carmen.at.example.com');
  await page.getByLabel('Password').fill(other.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  assert.equal(await fieldError(page, 'Email'), 'Email must be a valid email address.');
  assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), null, 'the fixed field is no longer marked');
  await assertNoRawJson(page);
  assertNoProblems(page);
  await page.context().close();
});

test('an empty field is caught before sending; a taken email and a wrong password get plain words', async () => {
  const page = await openPage(browser);
  const taken = newPerson('Rosa Marín');
  await registerAndLogin(taken);

  await signupForm(page);
  await page.getByLabel('Email').fill(taken.email);
  await page.getByLabel('Password').fill(taken.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  assert.equal(await fieldError(page, 'Name'), 'Name is required.');
  assert.equal(page.apiCalls.filter((c) => c.path === '/api/register').length, 0);

  await page.getByLabel('Name').fill(taken.name);
  await page.getByRole('button', { name: 'Create account' }).click();
  const alert = page.locator('.form-alert');
  await eventually(async () => /already an account with this email/.test(await alert.textContent()), { message: 'EMAIL_TAKEN in words' });
  await assertNoRawJson(page);

  await page.getByRole('link', { name: 'Sign in' }).last().click();
  await page.getByLabel('Email').fill(taken.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await eventually(async () => /email and password do not match/.test(await page.locator('.form-alert').textContent()), {
    message: 'INVALID_CREDENTIALS in words',
  });
  assert.equal(await sessionToken(page), null);
  await assertNoRawJson(page);
  assertNoProblems(page);
  await page.context().close();
});

test('log out: the token is gone, polling stops, and signed-in pages ask to sign in again', async () => {
  const person = newPerson('Diego Navarro');
  await registerAndLogin(person);
  const page = await openPage(browser);
  await signInWithForm(page, person);
  assert.equal(await page.locator('#account-name').textContent(), 'Diego');
  assert.ok(await sessionToken(page));
  await eventually(() => page.apiCalls.some((c) => c.path === '/api/notifications'), { message: 'polling while signed in' });

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
  assert.equal(await sessionToken(page), null);
  assert.equal(await page.locator('#bell').isVisible(), false);
  const polls = page.apiCalls.filter((c) => c.path === '/api/notifications').length;
  await page.waitForTimeout(5000); // longer than one polling period
  assert.equal(page.apiCalls.filter((c) => c.path === '/api/notifications').length, polls, 'no polling after logout');

  await page.goto(`${(new URL(page.url())).origin}/#/orders`);
  await page.getByRole('heading', { name: 'Welcome back' }).waitFor();

  // Signing in again goes where the person was heading.
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My orders' }).waitFor();
  assert.ok(await login(person));
  assertNoProblems(page);
  await page.context().close();
});

test('a token the server no longer accepts ends the session with a message, keeping the cart', async () => {
  const page = await openPage(browser);
  await page.locator('.menu-section').first().waitFor();
  await page.getByRole('button', { name: /^Add .* to your order$/ }).first().click();
  // A well-formed token that fails verification (as after a key rotation or a deleted account).
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const forged = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'gone' })}.${b64({
    sub: '00000000-0000-4000-8000-000000000000', name: 'Ghost', email: 'ghost@example.com',
    exp: Math.floor(Date.now() / 1000) + 600,
  })}.c2lnbmF0dXJl`;
  await page.evaluate((token) => {
    const [, payload] = token.split('.');
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    sessionStorage.setItem('comanda.session', JSON.stringify({ token, expiresAt: claims.exp * 1000, user: { id: claims.sub, name: claims.name } }));
    location.hash = '#/orders';
  }, forged);
  await page.reload(); // the app reads the session at start, as after closing and reopening the page
  await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
  await page.locator('.toast', { hasText: 'Your session has ended' }).waitFor();
  assert.equal(await sessionToken(page), null);
  assert.equal(await page.locator('#cart-count').textContent(), '1');
  assertNoProblems(page);
  await page.context().close();
});
