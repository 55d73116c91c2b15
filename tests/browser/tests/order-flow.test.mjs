// The whole storefront flow, as a customer does it: browse the menu, fill a cart, sign up on the
// way to checkout, place the order, and see the kitchen's confirmation arrive without reloading.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DESKTOP, PHONE, addDish, api, assertNoProblems, eventually, euros, launch, newPerson, openPage,
  registerAndLogin, screenshot, sessionToken, signInWithForm,
} from '../lib/harness.mjs';

let browser;
let menu; // the products as the API lists them
const byName = (name) => menu.find((p) => p.name === name) ?? assert.fail(`no product ${name} on the menu`);

before(async () => {
  browser = await launch();
  const r = await api('/products');
  assert.equal(r.status, 200);
  menu = r.data.items;
});
after(() => browser?.close());

async function noHorizontalScroll(page) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `page is ${scroll}px wide in a ${inner}px window`);
}

test('menu shows every category with es-ES prices, and sold-out dishes cannot be added', async () => {
  const page = await openPage(browser);
  await page.locator('.menu-section').first().waitFor();
  const headings = await page.locator('.menu-section h2').allTextContents();
  const categories = [...new Set(menu.map((p) => p.category))];
  assert.equal(headings.length, categories.length);
  for (const c of ['Burgers', 'Pizzas', 'Sides', 'Drinks', 'Desserts']) assert.ok(headings.includes(c), `missing ${c}`);
  for (const p of menu) {
    const card = page.locator('.dish', { has: page.getByRole('heading', { name: p.name, exact: true }) });
    assert.equal(await card.locator('.price').textContent(), euros(p.priceCents), p.name);
    const button = card.getByRole('button');
    assert.equal(await button.isDisabled(), !p.available, `${p.name} available=${p.available}`);
  }
  assert.ok(menu.some((p) => !p.available), 'the seeded menu has a sold-out dish to show');
  assertNoProblems(page);
  await page.context().close();
});

test('sign up at checkout, place an order, and the confirmation appears without a reload', async () => {
  const page = await openPage(browser, DESKTOP);
  const person = newPerson();
  const burger = byName('Classic Smash Burger');
  const fries = byName('Hand-cut Fries');
  const lemonade = byName('Homemade Lemonade');

  // Cart: add, add again, change a quantity, remove a line.
  await addDish(page, burger.name);
  await addDish(page, burger.name);
  await addDish(page, fries.name);
  await addDish(page, lemonade.name);
  await assertCartCount(page, 4);
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'menu-desktop');

  const aside = page.locator('.cart-aside');
  await aside.getByRole('button', { name: `One more ${lemonade.name}` }).click();
  await aside.getByRole('button', { name: `Remove ${fries.name}` }).click();
  await aside.getByLabel(`Quantity of ${burger.name}`).fill('3');
  await aside.getByLabel(`Quantity of ${burger.name}`).press('Enter');
  await assertCartCount(page, 5);
  const expected = burger.priceCents * 3 + lemonade.priceCents * 2;
  assert.equal(await aside.locator('#cart-total').textContent(), euros(expected));

  // The cart survives a reload (sessionStorage).
  await page.reload();
  await assertCartCount(page, 5);

  // Checkout asks to sign in; signing up comes back to checkout.
  await page.getByRole('link', { name: 'Go to checkout' }).first().click();
  await page.getByRole('heading', { name: 'Almost there' }).waitFor();
  await page.getByRole('main').getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Name').fill(person.name);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  assert.equal(await page.locator('#account-name').textContent(), 'Lucía');

  const address = 'Calle de Alcalá 42, 3º B, 28014 Madrid';
  const notes = 'Sin cebolla, por favor.\nLlamar al timbre.';
  await page.getByLabel('Delivery address').fill(address);
  await page.getByLabel(/Notes/).fill(notes);
  const placeButton = page.getByRole('button', { name: `Place order · ${euros(expected)}` });
  await placeButton.click();

  await page.getByRole('heading', { name: 'Thank you! Your order is in.' }).waitFor();
  const orderId = /#\/orders\/([0-9a-f-]{36})$/.exec(page.url())?.[1];
  assert.ok(orderId, `confirmation URL ${page.url()}`);
  assert.equal(await page.locator('#order-total').textContent(), euros(expected));
  assert.equal(await page.locator('#order-address').textContent(), address);

  // The notification arrives by polling: the confirmation page changes in place, and the bell counts it.
  const status = page.locator('#kitchen-status.is-confirmed');
  await status.waitFor({ timeout: 30000 });
  assert.match(await status.textContent(), new RegExp(`Pedido confirmado para el usuario ${person.name}.*${orderId}`));
  assert.equal(await page.locator('#bell-count').textContent(), '1');
  assert.match(await page.locator('.facts').textContent(), /Status\s*Confirmed/);
  await screenshot(page, 'confirmation-desktop');

  // The token stays out of the URL; the API has exactly this order, priced by the server.
  const token = await sessionToken(page);
  assert.ok(token && !page.url().includes(token));
  const posts = page.apiCalls.filter((c) => c.method === 'POST' && c.path === '/api/orders');
  assert.equal(posts.length, 1);
  assert.match(posts[0].headers['idempotency-key'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  for (const call of page.apiCalls) assert.ok(!call.path.includes(token), `token in ${call.path}`);
  const orders = await api('/orders', { token });
  assert.equal(orders.status, 200);
  assert.equal(orders.data.items.length, 1);
  const [order] = orders.data.items;
  assert.equal(order.id, orderId);
  assert.equal(order.totalCents, expected);
  assert.equal(order.deliveryAddress, address);
  assert.equal(order.notes, notes);
  assert.deepEqual(
    order.items.map((i) => [i.name, i.quantity]).sort(),
    [[burger.name, 3], [lemonade.name, 2]].sort(),
  );

  // The bell lists it, worded by the UI with the order's short reference (issue 16); opening the panel
  // marks it read.
  await page.locator('#bell').click();
  const orderRef = orderId.replaceAll('-', '').slice(0, 8).toUpperCase();
  await page.locator('#notif-panel .notif-item', { hasText: `The kitchen has confirmed order #${orderRef}.` }).waitFor();
  assert.equal(await page.locator('#bell-count').isHidden(), true);
  await page.keyboard.press('Escape');

  // Order history, then the order's details.
  await page.getByRole('link', { name: 'All my orders' }).click();
  const row = page.locator('.order-row', { hasText: `Order #${orderId.replaceAll('-', '').slice(0, 8).toUpperCase()}` });
  await row.waitFor();
  assert.match(await row.textContent(), /Confirmed/);
  await row.click();
  await page.locator('#order-total').waitFor();
  assert.equal(await page.locator('#order-total').textContent(), euros(expected));
  assert.match(await page.locator('.items-table').textContent(), new RegExp(`${burger.name}.*3`));
  assert.equal(await page.locator('#kitchen-status.is-confirmed').count(), 1);

  assertNoProblems(page);
  await page.context().close();
});

test('a notification for an order placed elsewhere pops up on whatever page is open', async () => {
  const person = newPerson('Jordi Puig');
  const token = await registerAndLogin(person);
  const page = await openPage(browser);
  await signInWithForm(page, person);
  await page.locator('.menu-section').first().waitFor();
  // The poller has taken its baseline (nothing yet) before the order exists.
  await eventually(() => page.apiCalls.some((c) => c.path === '/api/notifications'), { message: 'a first poll' });
  const urlBefore = page.url();

  const water = byName('Sparkling Water');
  const placed = await api('/orders', {
    method: 'POST',
    token,
    body: { items: [{ productId: water.id, quantity: 2 }], deliveryAddress: 'Plaza Mayor 1, Madrid' },
  });
  assert.equal(placed.status, 201, JSON.stringify(placed.data));

  // Worded by the UI from the notification's structured fields, with the order's short reference (issue 16).
  const orderRef = placed.data.id.replaceAll('-', '').slice(0, 8).toUpperCase();
  const toast = page.locator('.toast', { hasText: `#${orderRef}` });
  await toast.waitFor({ timeout: 30000 });
  assert.match(await toast.textContent(), new RegExp(`Order confirmed.*The kitchen has confirmed order #${orderRef}\\.`));
  assert.equal(await page.locator('#bell-count').textContent(), '1');
  assert.equal(page.url(), urlBefore, 'no navigation or reload');
  assert.equal(await page.locator('#toasts').getAttribute('aria-live'), 'polite');
  assertNoProblems(page);
  await page.context().close();
});

test('at phone width: no sideways scrolling, a cart bar, and the same flow to the confirmation', async () => {
  const person = newPerson('Marta Ruiz');
  await registerAndLogin(person);
  const page = await openPage(browser, PHONE);
  await page.locator('.menu-section').first().waitFor();
  await noHorizontalScroll(page);

  const pizza = byName('Pizza Margherita');
  const cola = byName('Craft Cola');
  await addDish(page, pizza.name);
  await addDish(page, cola.name);
  const bar = page.locator('#cart-bar');
  await bar.waitFor();
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'menu-phone');
  assert.match(await bar.textContent(), new RegExp(euros(pizza.priceCents + cola.priceCents)));
  await bar.click();
  await page.getByRole('heading', { name: /Your order/ }).waitFor();
  await noHorizontalScroll(page);
  await page.getByRole('link', { name: 'Go to checkout' }).click();
  await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  await noHorizontalScroll(page);
  await page.getByLabel('Delivery address').fill('Carrer de Mallorca 401, 08013 Barcelona');
  await page.getByRole('button', { name: /^Place order/ }).click();
  await page.getByRole('heading', { name: 'Thank you! Your order is in.' }).waitFor();
  await page.locator('#kitchen-status.is-confirmed').waitFor({ timeout: 30000 });
  await noHorizontalScroll(page);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'confirmation-phone');
  assertNoProblems(page);
  await page.context().close();
});

test('keyboard only: tab to a dish, add it, and the focus is visible', async () => {
  const page = await openPage(browser);
  await page.locator('.menu-section').first().waitFor();
  let label = '';
  for (let i = 0; i < 40 && !label.startsWith('Add '); i++) {
    await page.keyboard.press('Tab');
    label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') || '');
  }
  assert.match(label, /^Add .+ to your order$/);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused button shows a focus ring');
  await page.keyboard.press('Enter');
  await assertCartCount(page, 1);
  await page.keyboard.press('Enter');
  await assertCartCount(page, 2);
  assertNoProblems(page);
  await page.context().close();
});

async function assertCartCount(page, n) {
  await eventually(async () => (await page.locator('#cart-count').textContent()) === String(n), {
    timeout: 5000,
    message: `cart count ${n}`,
  });
}

