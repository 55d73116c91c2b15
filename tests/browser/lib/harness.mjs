// Shared pieces of the browser tests: the system under test (the gateway's URL), Debian's chromium
// driven by playwright-core, a page that records console errors and API calls, and direct API calls
// to check what the UI did.
//
// Environment [defaults]:
//   COMANDA_WEB_URL [http://127.0.0.1:8080]  the gateway serving the UI at / and the API at /api
//   CHROMIUM_PATH [/usr/bin/chromium]
//   SCREENSHOT_DIR [<repo>/docs/screenshots]
//   HEADED=1                                 show the browser (needs a display)

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const BASE_URL = (process.env.COMANDA_WEB_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const SCREENSHOT_DIR = resolve(process.env.SCREENSHOT_DIR || join(here, '../../../docs/screenshots'));
export const DESKTOP = { width: 1280, height: 960 };
export const PHONE = { width: 375, height: 780 };

/** Launches headless chromium (no sandbox: CI runs as root). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: process.env.HEADED !== '1',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=en-GB'],
  });
}

/**
 * A fresh context and page. page.problems collects console errors, uncaught exceptions and
 * CSP violations; page.apiCalls every /api request with its method, headers and status.
 */
export async function openPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Europe/Madrid' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.problems = [];
  page.apiCalls = [];
  page.on('pageerror', (e) => page.problems.push(`exception: ${e.message}`));
  page.on('console', (m) => {
    // Chromium logs every 4xx answer of a fetch as "Failed to load resource"; those are the API
    // saying no, which the tests look at themselves.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.problems.push(m.text());
  });
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/api/')) {
      page.apiCalls.push({ method: r.method(), path: url.pathname + url.search, headers: r.headers(), request: r });
    }
  });
  await page.goto(`${BASE_URL}/`);
  return page;
}

/** Fails when the page logged an error (including a Content-Security-Policy violation). */
export function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], `console errors on the page:\n${page.problems.join('\n')}`);
}

/** Saves a PNG of the viewport once the passing toasts are gone (they cover what the picture shows). */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.locator('.toast').first().waitFor({ state: 'detached', timeout: 15000 }).catch(() => {});
  await page.waitForFunction(() => document.querySelectorAll('.toast').length === 0, null, { timeout: 15000 }).catch(() => {});
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
}

/** A new person nobody has used: unique email, good password. */
export function newPerson(name = 'Lucía Fernández') {
  const tag = randomUUID().slice(0, 8);
  return { name, email: `lucia.${tag}@example.com`, password: `paella-${tag}` };
}

/** Calls the API through the gateway, as the tests' own check of what the UI did. */
export async function api(path, { method = 'GET', body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${BASE_URL}/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10000),
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: response.status, data, headers: response.headers };
}

/** Registers through the API and returns a token (for tests that start signed up). */
export async function registerAndLogin(person) {
  const created = await api('/register', { method: 'POST', body: person });
  assert.equal(created.status, 201, JSON.stringify(created.data));
  return login(person);
}

export async function login(person) {
  const r = await api('/login', { method: 'POST', body: { email: person.email, password: person.password } });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  return r.data.accessToken;
}

/** Signs in through the UI's form. */
export async function signInWithForm(page, person) {
  await page.getByRole('link', { name: 'Sign in' }).first().click();
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#account-name').waitFor();
}

/** Adds a dish from the menu by its name. */
export async function addDish(page, name) {
  await page.getByRole('button', { name: `Add ${name} to your order` }).click();
}

/** The UI's own token, where it keeps it. */
export function sessionToken(page) {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('comanda.session') || 'null')?.token ?? null);
}

/** Polls fn until it returns a truthy value (bounded). */
export async function eventually(fn, { timeout = 20000, interval = 250, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${message} (last: ${JSON.stringify(last)})`);
}

/** The price as the storefront shows it (es-ES: "9,90 €"), independent of Node's ICU spacing. */
export function euros(cents) {
  return new Intl.NumberFormat('es-ES', { style: 'currency', currency: 'EUR' }).format(cents / 100);
}
