// A real outage behind the gateway: products-service stops answering (SIGSTOP) while a customer is
// at checkout. orders-service answers 503 DEPENDENCY_UNAVAILABLE after its deadline; the page says
// so in words, nothing is ordered, and the same button works once the service is back (SIGCONT).
// Needs the state folder of a system started by scripts/browser-test.sh (COMANDA_STATE_DIR).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  addDish, api, assertNoProblems, launch, newPerson, openPage, registerAndLogin, signInWithForm,
} from '../lib/harness.mjs';

let browser;
let pausedPid = null;

function productsPid() {
  const dir = process.env.COMANDA_STATE_DIR;
  if (!dir) return null;
  try {
    const pid = Number.parseInt(readFileSync(join(dir, 'run', 'products-service.pid'), 'utf8'), 10);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('products-service') ? pid : null;
  } catch {
    return null;
  }
}

before(async () => {
  browser = await launch();
});
after(async () => {
  if (pausedPid) process.kill(pausedPid, 'SIGCONT');
  await browser?.close();
});

test('products-service down at checkout: explained in words, nothing ordered, placing it again works after', async (t) => {
  const pid = productsPid();
  if (!pid) return t.skip('no products-service of our own to pause (run through scripts/browser-test.sh)');
  const person = newPerson('Sergio Blanco');
  const token = await registerAndLogin(person);
  const page = await openPage(browser);
  await signInWithForm(page, person);
  await page.locator('.menu-section').first().waitFor();
  await addDish(page, 'Bacon BBQ Burger');
  await page.locator('#cart-button').click();
  await page.getByRole('link', { name: 'Go to checkout' }).click();
  await page.getByLabel('Delivery address').fill('Avenida de la Constitución 3, 41004 Sevilla');

  process.kill(pid, 'SIGSTOP');
  pausedPid = pid;
  const place = page.getByRole('button', { name: /^Place order/ });
  await place.click();
  const alert = page.locator('#checkout-form .form-alert');
  await alert.waitFor({ timeout: 20000 });
  assert.match(await alert.textContent(), /kitchen system is not answering right now\. Please try again in a moment: if your order already went through, trying again will not place it twice/);
  const post = page.apiCalls.find((c) => c.method === 'POST' && c.path === '/api/orders');
  assert.equal((await post.request.response()).status(), 503);
  assert.equal((await api('/orders', { token })).data.items.length, 0);
  assert.equal(await place.isEnabled(), true, 'the button is back for another try');

  process.kill(pid, 'SIGCONT');
  pausedPid = null;
  await place.click();
  await page.getByRole('heading', { name: 'Thank you! Your order is in.' }).waitFor();
  assert.equal((await api('/orders', { token })).data.items.length, 1);
  assertNoProblems(page);
  await page.context().close();
});
