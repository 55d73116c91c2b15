// #/checkout: delivery address and notes, the order summary, and "Place order".
// Each attempt carries an Idempotency-Key. The key is kept while the order stays the same, so a
// double click or a retry after a lost answer gives back the same order instead of a second one;
// a changed order gets a new key (the server refuses one key for two different orders).

import * as api from '../api.js';
import * as cart from '../cart.js';
import { h } from '../dom.js';
import { money, plural } from '../format.js';
import { busy, clearErrors, field, formAlert, showError, showFieldErrors } from '../forms.js';
import { fieldSentence } from '../messages.js';
import * as notifications from '../notifications.js';
import { navigate, setReturnTo } from '../router.js';
import * as session from '../session.js';
import { uuid } from '../uuid.js';
import { dishEmoji } from './dishes.js';
import { markJustPlaced } from './orders.js';

let attempt = null; // {key, body}: the order being placed and its Idempotency-Key
let inFlight = null;
let draft = { deliveryAddress: '', notes: '' }; // what was typed, kept while moving around

function summary() {
  const lines = cart.items();
  const { cents, currency } = cart.total();
  return h(
    'div',
    { class: 'card summary' },
    h('h2', {}, 'Order summary'),
    h(
      'ul',
      { class: 'summary-lines' },
      lines.map((l) =>
        h(
          'li',
          {},
          h('span', { class: 'summary-emoji', 'aria-hidden': 'true' }, dishEmoji(l)),
          h('span', { class: 'summary-name' }, h('span', { class: 'qty' }, `${l.quantity} ×`), ` ${l.name}`),
          h('span', { class: 'summary-price' }, money(l.priceCents * l.quantity, l.currency)),
        ),
      ),
    ),
    h('div', { class: 'cart-total' }, h('span', {}, 'Total'), h('strong', {}, money(cents, currency))),
    h('a', { class: 'link-button', href: '#/cart' }, 'Change your order'),
  );
}

function signInPrompt(main) {
  main.append(
    h(
      'section',
      { class: 'container page narrow' },
      h(
        'div',
        { class: 'card empty-state' },
        h('h1', {}, 'Almost there'),
        h('p', {}, 'Sign in or create an account to place your order. Your cart will be waiting.'),
        h(
          'div',
          { class: 'button-row' },
          h('a', { class: 'btn btn-primary', href: '#/login' }, 'Sign in'),
          h('a', { class: 'btn btn-ghost', href: '#/signup' }, 'Create an account'),
        ),
      ),
    ),
  );
}

export function checkoutPage(main) {
  document.title = 'Checkout · Comanda';
  if (!session.signedIn()) {
    setReturnTo('#/checkout'); // after signing in, come back here
    signInPrompt(main);
    return null;
  }
  if (!cart.items().length) {
    main.append(
      h(
        'section',
        { class: 'container page narrow' },
        h(
          'div',
          { class: 'card empty-state' },
          h('h1', {}, 'Your cart is empty'),
          h('p', {}, 'Add something tasty from the menu first.'),
          h('a', { class: 'btn btn-primary', href: '#/menu' }, 'Browse the menu'),
        ),
      ),
    );
    return null;
  }

  const { cents, currency } = cart.total();
  const submit = h(
    'button',
    { type: 'submit', class: 'btn btn-primary btn-block btn-large', id: 'place-order' },
    `Place order · ${money(cents, currency)}`,
  );
  const form = h(
    'form',
    { class: 'card stack checkout-form', novalidate: true, id: 'checkout-form' },
    h('h2', {}, 'Delivery details'),
    formAlert(),
    field({
      label: 'Delivery address',
      name: 'deliveryAddress',
      autocomplete: 'street-address',
      required: true,
      maxlength: 300,
      placeholder: 'Street, number, floor, postcode, city',
      value: draft.deliveryAddress,
    }),
    field({
      label: 'Notes for the kitchen or the rider',
      name: 'notes',
      multiline: true,
      rows: 3,
      maxlength: 500,
      placeholder: 'Allergies, doorbell, "no onions"…',
    }),
    h('p', { class: 'form-note' }, `You will be able to follow this order under My orders. ${plural(cart.count(), 'item', 'items')} in total.`),
    submit,
  );
  form.elements.notes.value = draft.notes;
  form.addEventListener('input', () => {
    draft = { deliveryAddress: form.elements.deliveryAddress.value, notes: form.elements.notes.value };
  });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    place(form, submit);
  });

  main.append(
    h(
      'section',
      { class: 'container page' },
      h('a', { class: 'back-link', href: '#/cart' }, '← Back to your cart'),
      h('h1', {}, 'Checkout'),
      h('div', { class: 'checkout-layout' }, form, summary()),
    ),
  );
  return null;
}

function place(form, submit) {
  // A second submit while the first is on its way joins it instead of sending again.
  if (inFlight) return inFlight;
  clearErrors(form);
  const deliveryAddress = form.elements.deliveryAddress.value.trim();
  const notes = form.elements.notes.value.trim();
  if (!deliveryAddress) {
    showFieldErrors(form, { deliveryAddress: [fieldSentence('deliveryAddress', 'is required: where should we bring your order?')] });
    return null;
  }
  const lines = cart.items();
  const body = { items: lines.map((l) => ({ productId: l.productId, quantity: l.quantity })), deliveryAddress };
  if (notes) body.notes = notes;
  const bodyText = JSON.stringify(body);
  if (!attempt || attempt.body !== bodyText) attempt = { key: uuid(), body: bodyText };

  const done = busy(submit, 'Placing your order…');
  inFlight = api
    .placeOrder(body, attempt.key)
    .then((order) => {
      attempt = null;
      draft = { deliveryAddress: '', notes: '' };
      cart.clear();
      markJustPlaced(order);
      notifications.refreshSoon();
      navigate(`#/orders/${order.id}`);
    })
    .catch((error) => {
      done();
      if (error.code === 'PRODUCT_UNAVAILABLE') {
        const bad = error.fields
          .map((f) => /^items\[(\d+)\]/.exec(f.field || ''))
          .filter(Boolean)
          .map((m) => lines[Number(m[1])]?.productId)
          .filter(Boolean);
        cart.markUnavailable(bad);
        const names = lines.filter((l) => bad.includes(l.productId)).map((l) => l.name);
        showError(form, { ...error, fields: [] }, {
          extra: names.length ? `No longer available: ${names.join(', ')}.` : '',
        });
        return;
      }
      if (error.code === 'VALIDATION_FAILED') {
        // Lines are named by position: say which dish.
        error.fields = error.fields.map((f) => {
          const m = /^items\[(\d+)\]\.(\w+)/.exec(f.field || '');
          if (!m) return f;
          const name = lines[Number(m[1])]?.name || 'A dish';
          return { field: 'items', message: `${name}: ${m[2]} ${f.message}` };
        });
      }
      const unsure = error.code === 'NETWORK' || error.code === 'GATEWAY';
      showError(form, error, {
        extra: unsure ? 'Placing it again is safe: it will not make a second order.' : '',
      });
    })
    .finally(() => {
      inFlight = null;
    });
  return inFlight;
}
