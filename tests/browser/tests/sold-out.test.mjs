// A dish that sells out while it sits in someone's cart: the server refuses the order with
// PRODUCT_UNAVAILABLE, and the page says which dish in words and blocks checkout until it is removed.
// Uses the bootstrap admin of scripts/run.sh (ADMIN_EMAIL / ADMIN_PASSWORD) to change the menu.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  addDish, api, assertNoProblems, launch, newPerson, openPage, registerAndLogin, signInWithForm,
} from '../lib/harness.mjs';

const admin = {
  email: process.env.ADMIN_EMAIL || 'admin@comanda.local',
  password: process.env.ADMIN_PASSWORD || 'admin-password',
};
let browser;
let adminToken = null;
let product = null;

before(async () => {
  browser = await launch();
  const r = await api('/login', { method: 'POST', body: admin });
  if (r.status === 200) adminToken = r.data.accessToken;
});
after(async () => {
  if (product) await api(`/products/${product.id}`, { method: 'DELETE', token: adminToken });
  await browser?.close();
});

test('a dish that sold out after it was added: named in words, and checkout waits for its removal', async (t) => {
  if (!adminToken) return t.skip(`no admin ${admin.email} to change the menu with (set ADMIN_EMAIL / ADMIN_PASSWORD)`);
  const dish = {
    name: `Patatas Bravas ${Math.random().toString(16).slice(2, 6)}`,
    description: 'Crispy potatoes with spicy tomato sauce and aioli.',
    category: 'sides',
    priceCents: 480,
    currency: 'EUR',
    available: true,
  };
  const created = await api('/products', { method: 'POST', body: dish, token: adminToken });
  assert.equal(created.status, 201, JSON.stringify(created.data));
  product = created.data;

  const person = newPerson('Elena Castro');
  await registerAndLogin(person);
  const page = await openPage(browser);
  await signInWithForm(page, person);
  await page.locator('.menu-section').first().waitFor();
  await addDish(page, dish.name);
  await addDish(page, 'Craft Cola');
  await page.locator('#cart-button').click();
  await page.getByRole('link', { name: 'Go to checkout' }).click();
  await page.getByLabel('Delivery address').fill('Calle Larios 5, 29005 Málaga');

  // The kitchen runs out while the customer is typing.
  const sold = await api(`/products/${product.id}`, { method: 'PUT', body: { ...dish, available: false }, token: adminToken });
  assert.equal(sold.status, 200, JSON.stringify(sold.data));

  await page.getByRole('button', { name: /^Place order/ }).click();
  const alert = page.locator('#checkout-form .form-alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), new RegExp(`no longer available.*No longer available: ${dish.name}\\.`, 's'));
  const orders = page.apiCalls.filter((c) => c.method === 'POST' && c.path === '/api/orders');
  assert.equal((await orders[0].request.response()).status(), 422);

  // The cart marks the line and holds checkout until it is removed.
  await page.getByRole('link', { name: 'Change your order' }).click();
  const line = page.locator('.cart-line', { hasText: dish.name });
  await line.getByText('No longer available').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Go to checkout' }).count(), 0);
  await line.getByRole('button', { name: `Remove ${dish.name}` }).click();
  await page.getByRole('link', { name: 'Go to checkout' }).click();
  await page.getByRole('button', { name: /^Place order/ }).click();
  await page.getByRole('heading', { name: 'Thank you! Your order is in.' }).waitFor();
  assertNoProblems(page);
  await page.context().close();
});
