// #/orders (the person's orders, newest first) and #/orders/<id> (one order; right after
// checkout it is the confirmation page, and it shows the kitchen's confirmation as soon as the
// notification for it arrives).

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { dateTime, money, orderNumber, plural, shortTime } from '../format.js';
import { describe } from '../messages.js';
import * as live from '../live.js';
import * as notifications from '../notifications.js';
import * as session from '../session.js';
import { toast } from '../toast.js';
import { dishEmoji } from './dishes.js';

const STATUS = {
  CREATED: 'Received',
  ACCEPTED: 'Accepted',
  PREPARING: 'Preparing',
  OUT_FOR_DELIVERY: 'On its way',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
};
const STEPS = ['CREATED', 'ACCEPTED', 'PREPARING', 'OUT_FOR_DELIVERY', 'DELIVERED'];
const FINAL = new Set(['DELIVERED', 'CANCELLED']);
const REFRESH_MS = 1000; // the poll that follows the kitchen's moves while the live stream is down
let justPlaced = null; // id of the order placed a moment ago in this tab
const known = new Map(); // id -> order, so the confirmation shows at once

/** Called by checkout with the new order. */
export function markJustPlaced(order) {
  justPlaced = order.id;
  known.set(order.id, order);
}

function loadingCard(text) {
  return h('div', { class: 'card empty-state', 'aria-busy': 'true' }, h('span', { class: 'spinner dark', 'aria-hidden': 'true' }), h('p', {}, text));
}

function errorCard(error, retry) {
  return h(
    'div',
    { class: 'card empty-state', role: 'alert' },
    h('h2', {}, error.code === 'NOT_FOUND' ? 'We could not find that order' : 'We could not load your orders'),
    h('p', {}, describe(error)),
    error.code === 'NOT_FOUND'
      ? h('a', { class: 'btn btn-primary', href: '#/orders' }, 'See my orders')
      : h('button', { type: 'button', class: 'btn btn-primary', onclick: retry }, 'Try again'),
  );
}

function itemsCount(order) {
  return order.items.reduce((n, i) => n + i.quantity, 0);
}

export function ordersPage(main) {
  document.title = 'My orders · Comanda';
  const list = h('div', { class: 'orders' }, loadingCard('Loading your orders…'));
  main.append(h('section', { class: 'container page narrow' }, h('h1', {}, 'My orders'), list));
  let alive = true;
  const load = () => {
    replace(list, loadingCard('Loading your orders…'));
    api
      .orders()
      .then((orders) => {
        if (!alive) return;
        if (!orders.length) {
          replace(
            list,
            h(
              'div',
              { class: 'card empty-state' },
              h('span', { class: 'cart-empty-icon', 'aria-hidden': 'true' }, '🧾'),
              h('p', {}, 'No orders yet.'),
              h('a', { class: 'btn btn-primary', href: '#/menu' }, 'Browse the menu'),
            ),
          );
          return;
        }
        replace(
          list,
          h(
            'ul',
            { class: 'order-list' },
            orders.map((o) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { class: 'card order-row', href: `#/orders/${o.id}` },
                  h('span', { class: 'order-row-emojis', 'aria-hidden': 'true' }, o.items.slice(0, 3).map((i) => dishEmoji(i)).join('')),
                  h(
                    'span',
                    { class: 'order-row-main' },
                    h('strong', {}, `Order #${orderNumber(o.id)}`),
                    h('span', { class: 'muted' }, `${dateTime(o.createdAt)} · ${plural(itemsCount(o), 'item', 'items')}`),
                    h('span', { class: 'order-row-items' }, o.items.map((i) => `${i.quantity} × ${i.name}`).join(', ')),
                  ),
                  h('span', { class: 'order-row-side' }, h('strong', {}, money(o.totalCents, o.currency)), statusTag(o)),
                ),
              ),
            ),
          ),
        );
      })
      .catch((error) => alive && replace(list, errorCard(error, load)));
  };
  load();
  return () => {
    alive = false;
  };
}

function statusTag(order) {
  if (order.status === 'CREATED' && notifications.forOrder(order.id)) return h('span', { class: 'tag tag-ok' }, 'Confirmed');
  const ok = order.status !== 'CREATED' && order.status !== 'CANCELLED';
  return h('span', { class: `tag${ok ? ' tag-ok' : ''}` }, STATUS[order.status] || order.status);
}

/** The order's states as a list: the ones reached (with their time) and the ones still ahead. */
function timeline(order) {
  const reached = new Map((order.statusHistory || []).map((e) => [e.state, e]));
  const cancelled = reached.get('CANCELLED');
  const steps = cancelled ? STEPS.filter((s) => reached.has(s)).concat('CANCELLED') : STEPS;
  return h(
    'ol',
    { class: 'timeline', id: 'order-timeline', 'aria-label': 'Order progress' },
    steps.map((state) => {
      const entry = reached.get(state);
      return h(
        'li',
        { class: `${entry ? 'is-done' : ''}${state === 'CANCELLED' ? ' is-cancelled' : ''}`, 'data-state': state },
        h(
          'div',
          {},
          h('strong', {}, STATUS[state]),
          entry ? h('time', { datetime: entry.at }, shortTime(entry.at)) : h('span', { class: 'sr-only' }, ' (not yet)'),
          entry?.reason ? h('p', { class: 'muted' }, `Reason: ${entry.reason}`) : null,
        ),
      );
    }),
  );
}

function cancelButton(order, onCancelled) {
  const user = session.user();
  if (order.status !== 'CREATED' || !user || user.id !== order.userId) return null;
  const button = h('button', { type: 'button', class: 'btn btn-ghost', id: 'cancel-order' }, 'Cancel this order');
  button.addEventListener('click', () => {
    if (!window.confirm(`Cancel order #${orderNumber(order.id)}?`)) return;
    button.disabled = true;
    api
      .cancelOrder(order.id)
      .then((cancelled) => onCancelled(cancelled))
      .catch((error) => {
        button.disabled = false;
        toast(error.code === 'INVALID_TRANSITION' ? 'The kitchen has already accepted this order; it can no longer be cancelled here.' : describe(error), {
          kind: 'error',
        });
      });
  });
  return button;
}

function confirmation(order) {
  const n = notifications.forOrder(order.id);
  return h(
    'div',
    { class: `kitchen-status ${n ? 'is-confirmed' : 'is-waiting'}`, id: 'kitchen-status', role: 'status' },
    n
      ? [h('span', { class: 'status-icon', 'aria-hidden': 'true' }, '✓'), h('div', {}, h('strong', {}, 'The kitchen has confirmed your order'), h('p', { class: 'notification-text' }, n.message), h('p', { class: 'muted' }, `Confirmed at ${shortTime(n.createdAt)}`))]
      : [h('span', { class: 'spinner dark', 'aria-hidden': 'true' }), h('div', {}, h('strong', {}, 'Sending your order to the kitchen…'), h('p', { class: 'muted' }, 'This page updates by itself when they confirm it.'))],
  );
}

function detail(order, fresh) {
  const status = h('div', { class: 'status-slot' }, order.status === 'CREATED' ? confirmation(order) : null);
  const progress = h('div', { class: 'card progress-slot' }, h('h2', {}, 'Progress'), timeline(order));
  const actions = h('div', { class: 'cancel-slot' });
  const tag = h('dd', {}, statusTag(order));
  const el = h(
    'div',
    { class: 'order-detail' },
    fresh
      ? h(
          'div',
          { class: 'thanks' },
          h('span', { class: 'thanks-icon', 'aria-hidden': 'true' }, '🎉'),
          h('h1', {}, 'Thank you! Your order is in.'),
          h('p', { class: 'lead' }, `Order #${orderNumber(order.id)} · ${money(order.totalCents, order.currency)}`),
        )
      : h('h1', {}, `Order #${orderNumber(order.id)}`),
    status,
    progress,
    actions,
    h(
      'div',
      { class: 'card' },
      h(
        'dl',
        { class: 'facts' },
        h('div', {}, h('dt', {}, 'Placed'), h('dd', {}, dateTime(order.createdAt))),
        h('div', {}, h('dt', {}, 'Status'), tag),
        h('div', {}, h('dt', {}, 'Deliver to'), h('dd', { id: 'order-address' }, order.deliveryAddress)),
        order.notes ? h('div', {}, h('dt', {}, 'Notes'), h('dd', { class: 'pre-line' }, order.notes)) : null,
      ),
      h(
        'table',
        { class: 'items-table' },
        h('caption', { class: 'sr-only' }, 'Items in this order'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Dish'), h('th', { scope: 'col', class: 'num' }, 'Qty'), h('th', { scope: 'col', class: 'num' }, 'Price'))),
        h(
          'tbody',
          {},
          order.items.map((i) =>
            h(
              'tr',
              {},
              h('td', {}, h('span', { class: 'summary-emoji', 'aria-hidden': 'true' }, dishEmoji(i)), ' ', i.name, h('span', { class: 'muted unit' }, ` · ${money(i.unitPriceCents, order.currency)} each`)),
              h('td', { class: 'num' }, String(i.quantity)),
              h('td', { class: 'num' }, money(i.lineTotalCents, order.currency)),
            ),
          ),
        ),
        h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: 2 }, 'Total'), h('td', { class: 'num total', id: 'order-total' }, money(order.totalCents, order.currency)))),
      ),
    ),
    h('div', { class: 'button-row' }, h('a', { class: 'btn btn-primary', href: '#/menu' }, 'Order something else'), h('a', { class: 'btn btn-ghost', href: '#/orders' }, 'All my orders')),
  );
  return { el, status, tag, progress, actions };
}

export function orderPage(main, id) {
  const fresh = justPlaced === id;
  document.title = fresh ? 'Order placed · Comanda' : 'Your order · Comanda';
  const section = h('section', { class: 'container page narrow' });
  main.append(section);
  let alive = true;
  let unsubscribe = () => {};
  let timer = null;
  let current = null;
  let parts = null;
  const update = (order) => {
    current = order;
    known.set(order.id, order);
    replace(parts.status, order.status === 'CREATED' ? confirmation(order) : null);
    replace(parts.tag, statusTag(order));
    replace(parts.progress, h('h2', {}, 'Progress'), timeline(order));
    replace(parts.actions, cancelButton(order, update));
  };
  let stopLive = () => {};
  let stopState = () => {};
  const refresh = () =>
    api
      .order(id)
      .then((order) => alive && current && order.version !== current.version && update(order))
      .catch(() => {});
  // Polls the order until it is delivered or cancelled, only while the live stream is down.
  const follow = () => {
    clearTimeout(timer);
    if (!alive || !current || FINAL.has(current.status) || live.isConnected()) return;
    timer = setTimeout(() => refresh().finally(follow), REFRESH_MS);
  };
  const show = (order) => {
    parts = detail(order, fresh);
    replace(section, parts.el);
    update(order);
    unsubscribe();
    unsubscribe = notifications.subscribe(() => alive && update(current));
    // Each move of this order arrives on the stream: read the order then.
    stopLive();
    stopLive = live.subscribe((event) => alive && event.data.orderId === id && refresh());
    stopState();
    stopState = live.onState((on) => {
      if (!alive) return;
      section.dataset.live = on ? 'on' : 'off';
      if (on) refresh(); // what moved while it was down
      follow();
    });
    section.dataset.live = live.isConnected() ? 'on' : 'off';
    follow();
  };
  const load = () => {
    api
      .order(id)
      .then((order) => alive && (known.set(id, order), show(order)))
      .catch((error) => alive && replace(section, errorCard(error, load)));
  };
  // The copy from checkout shows at once; the page then follows the order's moves.
  if (known.has(id)) show(known.get(id));
  else {
    replace(section, loadingCard('Loading your order…'));
    load();
  }
  return () => {
    alive = false;
    clearTimeout(timer);
    unsubscribe();
    stopLive();
    stopState();
    if (fresh) justPlaced = null;
  };
}
