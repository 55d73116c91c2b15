// Starts the storefront: the header (account, cart count, notification bell), the hash router
// that swaps views in <main>, and the notification poller while someone is signed in.

import * as cart from './cart.js';
import { h, replace } from './dom.js';
import { money, plural } from './format.js';
import * as notifications from './notifications.js';
import * as session from './session.js';
import { toast } from './toast.js';
import { initBell } from './views/bell.js';
import { cartPage } from './views/cart.js';
import { checkoutPage } from './views/checkout.js';
import { loginPage, signupPage } from './views/auth.js';
import { menuPage } from './views/menu.js';
import { kitchenPage } from './views/kitchen.js';
import { orderPage, ordersPage } from './views/orders.js';
import { navigate } from './router.js';

const routes = [
  { pattern: /^#?\/?(menu)?$/, view: menuPage, nav: 'menu' },
  { pattern: /^#\/cart$/, view: cartPage },
  { pattern: /^#\/checkout$/, view: checkoutPage },
  { pattern: /^#\/orders$/, view: ordersPage, nav: 'orders', auth: true },
  { pattern: /^#\/orders\/([0-9a-fA-F-]{1,64})$/, view: orderPage, nav: 'orders', auth: true },
  { pattern: /^#\/kitchen$/, view: kitchenPage, nav: 'kitchen', auth: true },
  { pattern: /^#\/login$/, view: loginPage },
  { pattern: /^#\/signup$/, view: signupPage },
];

const main = document.getElementById('main');
let cleanup = null;
let firstRender = true;

function notFound(el) {
  replace(
    el,
    h(
      'section',
      { class: 'container page narrow empty-state' },
      h('h1', {}, 'Page not found'),
      h('p', {}, 'That page is not on our menu.'),
      h('a', { class: 'btn btn-primary', href: '#/menu' }, 'Back to the menu'),
    ),
  );
}

function render() {
  const hash = location.hash || '#/menu';
  const route = routes.find((r) => r.pattern.test(hash));
  if (route?.auth && !session.signedIn()) {
    navigate('#/login', { returnTo: hash });
    return;
  }
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  main.replaceChildren();
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (route?.nav === a.dataset.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.body.dataset.route = hash.split('/')[1] || 'menu';
  if (route) cleanup = route.view(main, ...(hash.match(route.pattern) || []).slice(1));
  else notFound(main);
  updateCartBar();
  // Move focus to the new page's heading so keyboard and screen reader users land on it.
  if (!firstRender) {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    } else {
      main.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }
  firstRender = false;
}

function renderAccount() {
  const account = document.getElementById('account');
  const user = session.user();
  for (const el of document.querySelectorAll('[data-signed-in]')) el.hidden = !user;
  const staff = user && (user.role === 'staff' || user.role === 'admin');
  for (const el of document.querySelectorAll('[data-staff]')) el.hidden = !staff;
  if (user) {
    const first = (user.name || user.email).split(/\s+/)[0];
    replace(
      account,
      h('span', { class: 'greeting' }, 'Hi, ', h('strong', { id: 'account-name' }, first)),
      h('button', { type: 'button', class: 'btn btn-ghost btn-small', id: 'logout' }, 'Log out'),
    );
    account.querySelector('#logout').addEventListener('click', () => session.end('logout'));
  } else {
    replace(
      account,
      h('a', { class: 'btn btn-ghost btn-small', href: '#/login', id: 'login-link' }, 'Sign in'),
      h('a', { class: 'btn btn-primary btn-small signup-link', href: '#/signup' }, 'Sign up'),
    );
  }
}

function updateCartCount() {
  const n = cart.count();
  const badge = document.getElementById('cart-count');
  badge.textContent = String(n);
  badge.hidden = n === 0;
  document.getElementById('cart-count-label').textContent = `, ${plural(n, 'item', 'items')}`;
  updateCartBar();
}

function updateCartBar() {
  const bar = document.getElementById('cart-bar');
  const n = cart.count();
  const route = document.body.dataset.route;
  bar.hidden = n === 0 || route === 'cart' || route === 'checkout';
  if (n) {
    const { cents, currency } = cart.total();
    document.getElementById('cart-bar-count').textContent = String(n);
    document.getElementById('cart-bar-total').textContent = money(cents, currency);
  }
}

session.subscribe((state, reason) => {
  renderAccount();
  if (state) {
    notifications.start();
    return;
  }
  notifications.stop();
  if (reason === 'logout') {
    // A shared device should not show the next person this order.
    cart.clear();
    toast('You have been signed out. See you soon!', { kind: 'info' });
    navigate('#/menu');
  } else if (reason === 'expired') {
    toast('Your session has ended. Please sign in again; your cart is still here.', { kind: 'info' });
    navigate('#/login', { returnTo: location.hash });
  }
});

cart.subscribe(updateCartCount);
window.addEventListener('hashchange', render);
initBell();
renderAccount();
updateCartCount();
render();
if (session.signedIn()) notifications.start();
