// A double click, or a retry after an answer that got lost on the way back, makes exactly one
// order: the button is disabled while sending, and every attempt at the same order carries the
// same Idempotency-Key (checked against the API, not the page).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  addDish, api, assertNoProblems, launch, newPerson, openPage, registerAndLogin, signInWithForm,
} from '../lib/harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(() => browser?.close());

/** A signed-in page with one dish in the cart, on the checkout form. */
async function atCheckout(person, dish) {
  const page = await openPage(browser);
  await signInWithForm(page, person);
  await page.locator('.menu-section').first().waitFor();
  await addDish(page, dish);
  await page.locator('#cart-button').click();
  await page.getByRole('link', { name: 'Go to checkout' }).click();
  await page.getByLabel('Delivery address').fill('Gran Vía 28, 28013 Madrid');
  return page;
}

const orderPosts = (page) => page.apiCalls.filter((c) => c.method === 'POST' && c.path === '/api/orders');

test('a double click on "Place order" makes exactly one order', async () => {
  const person = newPerson('Álvaro Gil');
  const token = await registerAndLogin(person);
  const page = await atCheckout(person, 'Pizza Diavola');

  await page.getByRole('button', { name: /^Place order/ }).dblclick();
  await page.getByRole('heading', { name: 'Thank you! Your order is in.' }).waitFor();

  const orders = await api('/orders', { token });
  assert.equal(orders.status, 200);
  assert.equal(orders.data.items.length, 1, `orders: ${orders.data.items.map((o) => o.id)}`);
  const keys = new Set(orderPosts(page).map((c) => c.headers['idempotency-key']));
  assert.equal(keys.size, 1, 'one Idempotency-Key for the attempt');
  assertNoProblems(page);
  await page.context().close();
});

test('two submits fired at once (no time to disable the button) still make one order', async () => {
  const person = newPerson('Nuria Vidal');
  const token = await registerAndLogin(person);
  const page = await atCheckout(person, 'Onion Rings');

  await page.evaluate(() => {
    const form = document.getElementById('checkout-form');
    form.requestSubmit();
    form.requestSubmit();
  });
  await page.getByRole('heading', { name: 'Thank you! Your order is in.' }).waitFor();
  const orders = await api('/orders', { token });
  assert.equal(orders.data.items.length, 1);
  assertNoProblems(page);
  await page.context().close();
});

test('an answer lost on the way back: "Place order" again returns the same order, not a second one', async () => {
  const person = newPerson('Pau Serra');
  const token = await registerAndLogin(person);
  const page = await atCheckout(person, 'Quattro Formaggi');

  // The first POST reaches orders-service (which stores the order), but the browser sees the
  // connection drop. Later ones pass through untouched.
  let firstAnswer = null;
  await page.route('**/api/orders', async (route) => {
    if (route.request().method() !== 'POST' || firstAnswer) return route.continue();
    const response = await route.fetch();
    firstAnswer = { status: response.status(), body: await response.json() };
    return route.abort('connectionreset');
  });

  const place = page.getByRole('button', { name: /^Place order/ });
  await place.click();
  const alert = page.locator('#checkout-form .form-alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /could not reach Comanda.*Placing it again is safe/s);
  assert.equal(firstAnswer?.status, 201, 'the first attempt did create the order on the server');
  assert.equal((await api('/orders', { token })).data.items.length, 1);

  await place.click();
  await page.getByRole('heading', { name: 'Thank you! Your order is in.' }).waitFor();
  assert.ok(page.url().endsWith(`#/orders/${firstAnswer.body.id}`), 'the retry shows the first order');

  const orders = await api('/orders', { token });
  assert.deepEqual(orders.data.items.map((o) => o.id), [firstAnswer.body.id]);
  const posts = orderPosts(page);
  assert.equal(posts.length, 2);
  assert.equal(posts[0].headers['idempotency-key'], posts[1].headers['idempotency-key']);
  const replay = await posts[1].request.response();
  assert.equal(await replay.headerValue('idempotent-replayed'), 'true');
  await page.context().close();
});

test('a changed order after a failure gets a new key (and is a new order)', async () => {
  const person = newPerson('Iker Etxeberria');
  const token = await registerAndLogin(person);
  const page = await atCheckout(person, 'Tiramisu');
  await page.route('**/api/orders', (route) => route.abort('connectionrefused'), { times: 1 });

  await page.getByRole('button', { name: /^Place order/ }).click();
  await page.locator('#checkout-form .form-alert').waitFor();
  await page.getByLabel(/Notes/).fill('Con dos cucharas, por favor.');
  await page.getByRole('button', { name: /^Place order/ }).click();
  await page.getByRole('heading', { name: 'Thank you! Your order is in.' }).waitFor();

  const posts = orderPosts(page);
  assert.equal(posts.length, 2);
  assert.notEqual(posts[0].headers['idempotency-key'], posts[1].headers['idempotency-key']);
  const orders = await api('/orders', { token });
  assert.equal(orders.data.items.length, 1, 'the refused attempt never reached the server');
  assert.equal(orders.data.items[0].notes, 'Con dos cucharas, por favor.');
  await page.context().close();
});
