// #/menu: the hero, the categories and their dishes with prices and availability, and the cart
// beside them on wide screens.

import * as api from '../api.js';
import * as cart from '../cart.js';
import { h, replace } from '../dom.js';
import { money } from '../format.js';
import { describe } from '../messages.js';
import { announce, toast } from '../toast.js';
import { cartContents } from './cart.js';
import { categoriesOf, dishEmoji } from './dishes.js';

let cachedProducts = null;

function dishCard(product) {
  const inCart = cart.quantityOf(product.id);
  const add = h(
    'button',
    {
      type: 'button',
      class: 'btn btn-add',
      disabled: !product.available,
      'aria-label': product.available ? `Add ${product.name} to your order` : `${product.name} is sold out`,
      dataset: { productId: product.id },
    },
    product.available ? h('span', { 'aria-hidden': 'true' }, '+') : null,
    product.available ? ' Add' : 'Sold out',
  );
  add.addEventListener('click', () => {
    if (!cart.add(product)) {
      toast('That is as many as we can take in one order.', { kind: 'error' });
      return;
    }
    announce(`${product.name} added. ${cart.quantityOf(product.id)} in your order.`);
  });
  return h(
    'li',
    { class: `dish${product.available ? '' : ' is-sold-out'}`, dataset: { productId: product.id } },
    h(
      'div',
      { class: `dish-art art-${product.category}`, 'aria-hidden': 'true' },
      h('span', { class: 'dish-emoji' }, dishEmoji(product)),
      inCart ? h('span', { class: 'in-cart' }, `${inCart} in cart`) : null,
    ),
    h(
      'div',
      { class: 'dish-body' },
      h('h3', { class: 'dish-name' }, product.name),
      h('p', { class: 'dish-description' }, product.description),
      h(
        'div',
        { class: 'dish-footer' },
        h('span', { class: 'price' }, money(product.priceCents, product.currency)),
        add,
      ),
    ),
  );
}

function menuSections(products) {
  const categories = categoriesOf(products);
  const nav = h(
    'nav',
    { class: 'category-nav', 'aria-label': 'Menu categories' },
    h(
      'ul',
      {},
      categories.map((c) => h('li', {}, h('a', { href: `#/menu`, class: 'chip', dataset: { target: `cat-${c.id}` } }, c.name))),
    ),
  );
  nav.addEventListener('click', (e) => {
    const link = e.target.closest('a[data-target]');
    if (!link) return;
    e.preventDefault();
    const section = document.getElementById(link.dataset.target);
    section?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    section?.querySelector('h2')?.focus({ preventScroll: true });
  });
  const sections = categories.map((c) =>
    h(
      'section',
      { class: 'menu-section', id: `cat-${c.id}`, 'aria-labelledby': `cat-${c.id}-title` },
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: `cat-${c.id}-title`, tabindex: -1 }, c.name),
        c.blurb ? h('p', { class: 'muted' }, c.blurb) : null,
      ),
      h('ul', { class: 'dishes' }, products.filter((p) => p.category === c.id).map(dishCard)),
    ),
  );
  return [nav, ...sections];
}

function hero() {
  return h(
    'section',
    { class: 'hero' },
    h(
      'div',
      { class: 'container hero-inner' },
      h(
        'div',
        { class: 'hero-text' },
        h('p', { class: 'eyebrow' }, 'Made to order · Delivered hot'),
        h('h1', {}, 'Smash burgers, stone‑baked pizzas, ', h('span', { class: 'accent' }, 'hot to your door.')),
        h('p', { class: 'lead' }, 'Pick your favourites, tell us where to bring them, and we will let you know the moment the kitchen confirms your order.'),
      ),
      h('div', { class: 'hero-art', 'aria-hidden': 'true' }, h('span', {}, '🍔'), h('span', {}, '🍕'), h('span', {}, '🍟')),
    ),
  );
}

export function menuPage(main) {
  document.title = 'Menu · Comanda';
  const content = h('div', { class: 'menu-main', 'aria-busy': 'true' }, skeleton());
  const { el: cartEl, cleanup: cartCleanup } = cartContents();
  main.append(
    hero(),
    h(
      'div',
      { class: 'container menu-layout' },
      content,
      h('aside', { class: 'cart-aside', 'aria-label': 'Your order' }, h('div', { class: 'card' }, cartEl)),
    ),
  );

  let alive = true;
  const draw = (products) => replace(content, menuSections(products));
  // Redraw the cards' "n in cart" marks when the cart changes.
  const unsubscribe = cart.subscribe(() => cachedProducts && alive && redrawBadges(content));

  const load = () => {
    api
      .products()
      .then((products) => {
        if (!alive) return;
        cachedProducts = products;
        cart.syncWithMenu(products);
        content.removeAttribute('aria-busy');
        draw(products);
      })
      .catch((error) => {
        if (!alive) return;
        content.removeAttribute('aria-busy');
        replace(
          content,
          h(
            'div',
            { class: 'card empty-state', role: 'alert' },
            h('h2', {}, 'We could not load the menu'),
            h('p', {}, describe(error)),
            h('button', { type: 'button', class: 'btn btn-primary', onclick: () => { replace(content, skeleton()); load(); } }, 'Try again'),
          ),
        );
      });
  };
  if (cachedProducts) draw(cachedProducts);
  load();
  return () => {
    alive = false;
    unsubscribe();
    cartCleanup();
  };
}

function redrawBadges(content) {
  for (const art of content.querySelectorAll('.dish')) {
    const n = cart.quantityOf(art.dataset.productId);
    const box = art.querySelector('.dish-art');
    let badge = box.querySelector('.in-cart');
    if (!n) {
      badge?.remove();
      continue;
    }
    if (!badge) {
      badge = h('span', { class: 'in-cart' });
      box.append(badge);
    }
    badge.textContent = `${n} in cart`;
  }
}

function skeleton() {
  return h(
    'div',
    { class: 'skeleton-grid' },
    h('p', { class: 'sr-only' }, 'Loading the menu…'),
    Array.from({ length: 6 }, () => h('div', { class: 'skeleton-card', 'aria-hidden': 'true' })),
  );
}
