// Issue 16: a kitchen worker moves an order across the board in one browser, and the customer's
// order page in another browser follows every step within 2 s, without a reload, delivered by the
// live stream (GET /api/notifications/stream), not by the fallback poll; then the customer cancels a
// new order of their own. Screenshots of the board and the timeline.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DESKTOP, PHONE, api, assertNoProblems, launch, login, newPerson, openPage, registerAndLogin, screenshot,
  signInWithForm,
} from '../lib/harness.mjs';

const ADMIN = { email: process.env.ADMIN_EMAIL || 'admin@comanda.local', password: process.env.ADMIN_PASSWORD || 'admin-password' };
const MARGHERITA = '0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d05';
let browser;

before(async () => {
  browser = await launch();
});
after(() => browser?.close());

async function placeOrder(token) {
  const r = await api('/orders', {
    method: 'POST',
    token,
    body: { items: [{ productId: MARGHERITA, quantity: 2 }], deliveryAddress: 'Calle Mayor 1, 28013 Madrid' },
  });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  return r.data;
}

const ref = (id) => id.replaceAll('-', '').slice(0, 8).toUpperCase();

test('staff move an order on the board and the customer sees every step within 2 s', async () => {
  const person = newPerson('Lucía Fernández');
  const token = await registerAndLogin(person);
  const customer = await openPage(browser, DESKTOP);
  // The first page of a run can take a while on a loaded machine (the UI's modules, a cold chromium).
  await customer.getByRole('link', { name: 'Sign in' }).first().waitFor({ timeout: 60000 });
  await signInWithForm(customer, person);
  // A kitchen worker: an account the admin makes staff through the gateway.
  const worker = newPerson('Chef Ramón');
  const created = await api('/register', { method: 'POST', body: worker });
  assert.equal(created.status, 201);
  const granted = await api(`/users/${created.data.id}/role`, { method: 'PUT', body: { role: 'staff' }, token: await login(ADMIN) });
  assert.equal(granted.status, 200, JSON.stringify(granted.data));
  assert.equal(granted.data.role, 'staff');
  const kitchen = await openPage(browser, { width: 1180, height: 820 }); // a landscape tablet
  await kitchen.getByRole('link', { name: 'Sign in' }).first().waitFor({ timeout: 60000 });
  await signInWithForm(kitchen, worker);
  await kitchen.getByRole('link', { name: 'Kitchen' }).click();
  await kitchen.getByRole('heading', { name: 'Kitchen board' }).waitFor();
  await kitchen.locator('.board-column').first().waitFor();

  const order = await placeOrder(token);
  const card = kitchen.locator(`[data-order="${ref(order.id)}"]`);
  // The new order appears on the board by itself, with the cue.
  await card.waitFor({ timeout: 10000 });
  assert.match(await card.getAttribute('class'), /is-new/);
  assert.equal(await card.evaluate((el) => el.closest('.board-column').dataset.state), 'CREATED');

  // Every read of this order by the customer's page: with the stream up there is no poll, only a read
  // after each event about the order.
  const reads = [];
  customer.on('request', (r) => {
    if (r.method() === 'GET' && r.url().endsWith(`/api/orders/${order.id}`)) reads.push(Date.now());
  });
  await customer.goto(`${customer.url().split('#')[0]}#/orders/${order.id}`);
  await customer.locator('#order-timeline').waitFor();
  await customer.locator('#cancel-order').waitFor();
  // Both pages hold the stream open (their first event arrived)...
  await customer.locator('section[data-live="on"]').waitFor({ timeout: 10000 });
  await kitchen.locator('.board[data-live="on"]').waitFor({ timeout: 10000 });
  // ...and the 1 s fallback poll is off: 2.5 s without a single read of the order.
  const quietFrom = Date.now();
  await customer.waitForTimeout(2500);
  assert.equal(reads.filter((t) => t >= quietFrom).length, 0, 'the order page polled although the stream is up');

  const steps = [['Accept', 'ACCEPTED'], ['Start preparing', 'PREPARING'], ['Send out', 'OUT_FOR_DELIVERY'], ['Delivered', 'DELIVERED']];
  for (const [button, state] of steps) {
    if (state === 'PREPARING') {
      await kitchen.evaluate(() => window.scrollTo(0, 0));
      await screenshot(kitchen, 'kitchen-board-tablet');
    }
    // The clock starts when the move is committed (the PATCH answered), not at the click.
    const moved = kitchen.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(order.id));
    await card.getByRole('button', { name: button, exact: true }).click();
    assert.equal((await moved).status(), 200);
    const started = Date.now();
    await customer.locator(`#order-timeline li[data-state="${state}"].is-done`).waitFor({ timeout: 2000 });
    const waited = Date.now() - started;
    assert.ok(waited <= 2000, `${state} took ${waited} ms to show`);
    if (state === 'ACCEPTED') assert.equal(await customer.locator('#cancel-order').count(), 0, 'no cancel once accepted');
    if (state === 'OUT_FOR_DELIVERY') await screenshot(customer, 'order-timeline-desktop');
  }
  assert.equal(await customer.locator('section[data-live="on"]').count(), 1, 'the stream stayed up');
  // The API agrees with both screens.
  const r = await api(`/orders/${order.id}`, { token });
  assert.equal(r.data.status, 'DELIVERED');
  assert.deepEqual(r.data.statusHistory.map((e) => e.state), ['CREATED', 'ACCEPTED', 'PREPARING', 'OUT_FOR_DELIVERY', 'DELIVERED']);
  await card.waitFor({ state: 'detached', timeout: 5000 }); // delivered orders leave the board
  assertNoProblems(customer);
  assertNoProblems(kitchen);
  await customer.context().close();
  await kitchen.context().close();
});

test('a customer cancels a new order from its page; a phone shows the timeline', async () => {
  const person = newPerson('Maximiliano de la Santísima Trinidad');
  const token = await registerAndLogin(person);
  const page = await openPage(browser, PHONE);
  await signInWithForm(page, person);
  const order = await placeOrder(token);
  await page.goto(`${page.url().split('#')[0]}#/orders/${order.id}`);
  page.once('dialog', (d) => d.accept());
  await page.locator('#cancel-order').click();
  await page.locator('#order-timeline li[data-state="CANCELLED"].is-done').waitFor();
  assert.equal(await page.locator('#cancel-order').count(), 0);
  const r = await api(`/orders/${order.id}`, { token });
  assert.equal(r.data.status, 'CANCELLED');
  // The header keeps to two rows with a long name.
  const height = await page.locator('.site-header').evaluate((el) => el.getBoundingClientRect().height);
  assert.ok(height < 130, `the phone header is ${height}px tall`);
  assertNoProblems(page);
  await page.context().close();
});
