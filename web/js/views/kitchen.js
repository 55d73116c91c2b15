// #/kitchen: the staff's board. One column per state an order waits in; each card has one button
// that moves the order on, and a cancel with a reason. New orders appear with a visual cue (and
// are announced to screen readers). The board follows the live stream (GET
// /api/notifications/stream: every order's moves for staff) and polls only while it is down.

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { money, orderNumber, shortTime } from '../format.js';
import * as live from '../live.js';
import { describe } from '../messages.js';
import * as session from '../session.js';
import { announce, toast } from '../toast.js';

const REFRESH_MS = 2000; // the poll while the live stream is down
export const COLUMNS = [
  { state: 'CREATED', title: 'New', next: 'ACCEPTED', action: 'Accept' },
  { state: 'ACCEPTED', title: 'Accepted', next: 'PREPARING', action: 'Start preparing' },
  { state: 'PREPARING', title: 'Preparing', next: 'OUT_FOR_DELIVERY', action: 'Send out' },
  { state: 'OUT_FOR_DELIVERY', title: 'Out for delivery', next: 'DELIVERED', action: 'Delivered' },
];

function card(order, isNew, act) {
  const column = COLUMNS.find((c) => c.state === order.status);
  const ref = orderNumber(order.id);
  const cancel = h('button', { type: 'button', class: 'btn btn-ghost btn-small', 'data-cancel': ref }, 'Cancel…');
  const reasonForm = h(
    'form',
    { class: 'cancel-form', hidden: true },
    h('label', { for: `reason-${ref}` }, 'Why is it cancelled?'),
    h('input', { id: `reason-${ref}`, name: 'reason', required: true, maxlength: 300, autocomplete: 'off' }),
    h('button', { type: 'submit', class: 'btn btn-danger btn-small' }, 'Cancel order'),
  );
  cancel.addEventListener('click', () => {
    reasonForm.hidden = !reasonForm.hidden;
    if (!reasonForm.hidden) reasonForm.querySelector('input').focus();
  });
  reasonForm.addEventListener('submit', (e) => {
    e.preventDefault();
    act(order, 'CANCELLED', reasonForm.querySelector('input').value.trim());
  });
  return h(
    'li',
    { class: `card board-card${isNew ? ' is-new' : ''}`, 'data-order': ref },
    h('div', { class: 'board-card-head' }, h('strong', {}, `#${ref}`), h('time', { datetime: order.createdAt }, shortTime(order.createdAt))),
    h('p', { class: 'board-items' }, order.items.map((i) => `${i.quantity} × ${i.name}`).join(', ')),
    order.notes ? h('p', { class: 'muted pre-line' }, order.notes) : null,
    h('p', { class: 'muted' }, `${money(order.totalCents, order.currency)} · ${order.deliveryAddress}`),
    h(
      'div',
      { class: 'board-actions' },
      h('button', { type: 'button', class: 'btn btn-primary', 'data-move': ref, onclick: () => act(order, column.next) }, column.action),
      order.status === 'OUT_FOR_DELIVERY' ? null : cancel,
    ),
    reasonForm,
  );
}

export function kitchenPage(main) {
  document.title = 'Kitchen · Comanda';
  const role = session.user()?.role;
  if (role !== 'staff' && role !== 'admin') {
    main.append(
      h('section', { class: 'container page narrow empty-state' }, h('h1', {}, 'Kitchen board'), h('p', {}, 'The kitchen board is for the restaurant\'s staff.')),
    );
    return () => {};
  }
  const board = h('div', { class: 'board' });
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading the orders…');
  main.append(h('section', { class: 'container page wide' }, h('h1', {}, 'Kitchen board'), status, board));
  let alive = true;
  let timer = null;
  let known = null; // ids on the board after the first load
  let busy = false;

  const render = (orders) => {
    const fresh = known ? orders.filter((o) => !known.has(o.id)) : [];
    known = new Set(orders.map((o) => o.id));
    replace(
      board,
      COLUMNS.map((column) => {
        const inColumn = orders.filter((o) => o.status === column.state).reverse(); // oldest first
        return h(
          'section',
          { class: 'board-column', 'aria-label': column.title, 'data-state': column.state },
          h('h2', {}, column.title, ' ', h('span', { class: 'muted' }, `(${inColumn.length})`)),
          h('ol', { class: 'board-list' }, inColumn.map((o) => card(o, fresh.includes(o), act))),
        );
      }),
    );
    status.textContent = `Updated at ${shortTime(new Date().toISOString())}`;
    if (fresh.length) announce(`${fresh.length} new order${fresh.length === 1 ? '' : 's'}`);
  };

  const load = () => {
    clearTimeout(timer);
    let again = !live.isConnected();
    return api
      .ordersInStates(COLUMNS.map((c) => c.state))
      .then((orders) => {
        if (!alive) return;
        // Not while someone types a cancel reason: the re-render would drop it (tried again soon).
        if (busy || board.querySelector('.cancel-form:not([hidden])')) again = true;
        else render(orders);
      })
      .catch((error) => alive && ((status.textContent = describe(error)), (again = true)))
      .finally(() => {
        if (alive && again) timer = setTimeout(load, REFRESH_MS);
      });
  };
  // A burst of moves (several staff at work) makes one reload.
  const loadSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(load, 100);
  };
  const stopLive = live.subscribe((event) => alive && event.type === 'status' && loadSoon());
  const stopState = live.onState((on) => {
    if (!alive) return;
    board.dataset.live = on ? 'on' : 'off';
    load(); // on: catch up with what moved meanwhile; off: poll from now on
  });
  board.dataset.live = live.isConnected() ? 'on' : 'off';

  async function act(order, to, reason) {
    busy = true;
    try {
      await api.moveOrder(order.id, order.version, to, reason);
      announce(`Order #${orderNumber(order.id)} is now ${to.toLowerCase().replaceAll('_', ' ')}`);
    } catch (error) {
      toast(error.code === 'VERSION_CONFLICT' ? 'Someone else moved this order first; the board is updated.' : describe(error), {
        kind: 'error',
      });
    } finally {
      busy = false;
      if (alive) load();
    }
  }

  load();
  return () => {
    alive = false;
    clearTimeout(timer);
    stopLive();
    stopState();
  };
}
