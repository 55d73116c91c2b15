// The bell in the header: unread count, a panel listing the notifications, and a toast when a
// new one arrives (the toast region is aria-live, so it is read out).

import { h, replace } from '../dom.js';
import { shortTime } from '../format.js';
import * as notifications from '../notifications.js';
import { toast } from '../toast.js';

function item(n) {
  return h(
    'li',
    { class: `notif-item${notifications.isUnread(n.id) ? ' unread' : ''}` },
    h('a', { href: `#/orders/${n.orderId}` }, h('span', { class: 'notif-message' }, notifications.wording(n).text)),
    h('time', { datetime: n.createdAt }, shortTime(n.createdAt)),
  );
}

export function initBell() {
  const bell = document.getElementById('bell');
  const panel = document.getElementById('notif-panel');
  const list = document.getElementById('notif-list');
  const count = document.getElementById('bell-count');
  const label = document.getElementById('bell-label');

  const renderList = () => {
    const items = notifications.list();
    replace(
      list,
      items.length
        ? items.slice(0, 20).map(item)
        : h('li', { class: 'notif-empty' }, 'Nothing yet. We will tell you here when the kitchen confirms an order.'),
    );
  };

  const setOpen = (open) => {
    panel.hidden = !open;
    bell.setAttribute('aria-expanded', String(open));
    if (open) {
      renderList();
      notifications.markAllRead();
    }
  };

  bell.addEventListener('click', () => setOpen(panel.hidden));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden) {
      setOpen(false);
      bell.focus();
    }
  });
  document.addEventListener('click', (e) => {
    if (!panel.hidden && !panel.contains(e.target) && !bell.contains(e.target)) setOpen(false);
  });
  panel.addEventListener('click', (e) => {
    if (e.target.closest('a')) setOpen(false);
  });
  window.addEventListener('hashchange', () => setOpen(false));

  notifications.subscribe(({ unread, fresh }) => {
    count.textContent = String(unread);
    count.hidden = unread === 0;
    label.textContent = unread ? `Notifications, ${unread} new` : 'Notifications';
    if (!panel.hidden) renderList();
    for (const n of fresh) {
      // On that order's own page the confirmation shows in place; elsewhere, a toast.
      if (location.hash === `#/orders/${n.orderId}`) continue;
      // A late one (the order is already further along) is listed, not announced.
      const newest = Math.max(...notifications.allForOrder(n.orderId).map((x) => x.sequence || 1));
      if ((n.sequence || 1) < newest) continue;
      const { title, text } = notifications.wording(n);
      toast(text, { title, kind: n.state === 'CANCELLED' ? 'error' : 'success', timeout: 12000 });
    }
  });
}
