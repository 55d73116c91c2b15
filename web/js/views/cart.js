// The cart: as a panel beside the menu (wide screens) and as its own page (#/cart).

import * as cart from '../cart.js';
import { h, replace } from '../dom.js';
import { money, plural } from '../format.js';
import { announce } from '../toast.js';
import { dishEmoji } from './dishes.js';

function stepper(line) {
  const input = h('input', {
    type: 'number',
    class: 'qty-input',
    min: 1,
    max: cart.MAX_QUANTITY,
    inputmode: 'numeric',
    value: String(line.quantity),
    'aria-label': `Quantity of ${line.name}`,
  });
  input.addEventListener('change', () => {
    const q = Number.parseInt(input.value, 10);
    if (Number.isFinite(q) && q >= 1) cart.setQuantity(line.productId, q);
    else input.value = String(line.quantity);
  });
  return h(
    'div',
    { class: 'stepper' },
    h(
      'button',
      {
        type: 'button',
        class: 'step',
        'aria-label': `One less ${line.name}`,
        onclick: () => {
          cart.setQuantity(line.productId, line.quantity - 1);
          if (line.quantity <= 1) announce(`${line.name} removed from your order`);
        },
      },
      '−',
    ),
    input,
    h(
      'button',
      {
        type: 'button',
        class: 'step',
        'aria-label': `One more ${line.name}`,
        disabled: line.quantity >= cart.MAX_QUANTITY,
        onclick: () => cart.setQuantity(line.productId, line.quantity + 1),
      },
      '+',
    ),
  );
}

function lineRow(line) {
  return h(
    'li',
    { class: `cart-line${line.unavailable ? ' is-unavailable' : ''}`, dataset: { productId: line.productId } },
    h('span', { class: 'cart-line-emoji', 'aria-hidden': 'true' }, dishEmoji(line)),
    h(
      'div',
      { class: 'cart-line-main' },
      h('span', { class: 'cart-line-name' }, line.name),
      line.unavailable
        ? h('span', { class: 'tag tag-warn' }, 'No longer available')
        : h('span', { class: 'cart-line-unit' }, `${money(line.priceCents, line.currency)} each`),
      h(
        'button',
        {
          type: 'button',
          class: 'link-button remove',
          onclick: () => {
            cart.remove(line.productId);
            announce(`${line.name} removed from your order`);
          },
        },
        'Remove',
        h('span', { class: 'sr-only' }, ` ${line.name}`),
      ),
    ),
    h(
      'div',
      { class: 'cart-line-side' },
      stepper(line),
      h('span', { class: 'cart-line-total' }, money(line.priceCents * line.quantity, line.currency)),
    ),
  );
}

// Re-rendering replaces the buttons; keep keyboard focus on the same control of the same line.
function focusKey(root) {
  const active = document.activeElement;
  if (!active || !root.contains(active)) return null;
  const line = active.closest('.cart-line');
  return { productId: line?.dataset.productId, cls: active.className, text: active.textContent };
}

function restoreFocus(root, key) {
  if (!key) return;
  for (const el of root.querySelectorAll(`.cart-line button, .cart-line input`)) {
    const line = el.closest('.cart-line');
    if (line.dataset.productId === key.productId && el.className === key.cls && el.textContent === key.text) {
      el.focus();
      return;
    }
  }
  root.querySelector('.cart-title')?.setAttribute('tabindex', '-1');
  root.querySelector('.cart-title')?.focus();
}

/** The lines, the total and the checkout button; re-renders on every cart change. */
export function cartContents({ heading = 'h2', checkout = true } = {}) {
  const root = h('div', { class: 'cart-contents' });
  const render = () => {
    const restore = focusKey(root);
    draw();
    restoreFocus(root, restore);
  };
  const draw = () => {
    const lines = cart.items();
    if (!lines.length) {
      replace(
        root,
        h(heading, { class: 'cart-title' }, 'Your order'),
        h(
          'div',
          { class: 'cart-empty' },
          h('span', { class: 'cart-empty-icon', 'aria-hidden': 'true' }, '🛍️'),
          h('p', {}, 'Your cart is empty.'),
          h('p', { class: 'muted' }, 'Add a few dishes from the menu to get started.'),
        ),
      );
      return;
    }
    const { cents, currency } = cart.total();
    const blocked = lines.some((l) => l.unavailable);
    replace(
      root,
      h(heading, { class: 'cart-title' }, 'Your order ', h('span', { class: 'muted' }, `(${plural(cart.count(), 'item', 'items')})`)),
      h('ul', { class: 'cart-lines', 'aria-label': 'Items in your order' }, lines.map(lineRow)),
      h(
        'div',
        { class: 'cart-total' },
        h('span', {}, 'Total'),
        h('strong', { id: 'cart-total', 'aria-live': 'polite' }, money(cents, currency)),
      ),
      blocked ? h('p', { class: 'form-note warn' }, 'Remove the dishes that are no longer available to continue.') : null,
      checkout
        ? blocked
          ? h('span', { class: 'btn btn-primary btn-block is-disabled', 'aria-disabled': 'true' }, 'Go to checkout')
          : h('a', { class: 'btn btn-primary btn-block', href: '#/checkout', id: 'go-checkout' }, 'Go to checkout')
        : null,
    );
  };
  render();
  const unsubscribe = cart.subscribe(render);
  return { el: root, cleanup: unsubscribe };
}

/** #/cart */
export function cartPage(main) {
  const { el, cleanup } = cartContents({ heading: 'h1' });
  main.append(
    h(
      'section',
      { class: 'container page narrow' },
      h('a', { class: 'back-link', href: '#/menu' }, '← Back to the menu'),
      h('div', { class: 'card cart-page' }, el),
    ),
  );
  document.title = 'Your order · Comanda';
  return cleanup;
}
