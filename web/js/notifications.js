// The signed-in person's notifications, polled every few seconds so an order confirmation
// appears without a reload. The first answer after signing in is the baseline (already seen);
// anything newer is announced with a toast and counted as unread until the panel is opened.

import * as api from './api.js';
import * as session from './session.js';

const POLL_MS = 4000;
const listeners = new Set();
let items = [];
let seen = new Set();
let unread = new Set();
let timer = null;
let running = false;
let userId = null;

function seenKey() {
  return `comanda.notifications.seen.${userId}`;
}

function loadSeen() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(seenKey()) || 'null');
    return saved ? { ids: new Set(saved.ids), unread: new Set(saved.unread) } : null;
  } catch {
    return null;
  }
}

function saveSeen() {
  sessionStorage.setItem(seenKey(), JSON.stringify({ ids: [...seen], unread: [...unread] }));
}

function emit(fresh) {
  for (const fn of listeners) fn({ items, unread: unread.size, fresh });
}

async function poll() {
  timer = null;
  if (!running) return;
  if (!document.hidden) {
    try {
      const latest = await api.notifications();
      if (!running) return;
      const baseline = loadSeen();
      const fresh = [];
      if (!baseline) {
        // First answer in this tab: what is already there is old news.
        seen = new Set(latest.map((n) => n.id));
        unread = new Set();
      } else {
        seen = baseline.ids;
        unread = baseline.unread;
        for (const n of latest) {
          if (!seen.has(n.id)) {
            seen.add(n.id);
            unread.add(n.id);
            fresh.push(n);
          }
        }
      }
      items = latest;
      saveSeen();
      emit(fresh);
    } catch {
      // A failed poll is retried on the next tick; a 401 has already ended the session.
    }
  }
  if (running) timer = setTimeout(poll, POLL_MS);
}

/** Starts polling for the signed-in person (no-op when already running). */
export function start() {
  const user = session.user();
  if (!user) return;
  if (running && userId === user.id) return;
  stop();
  userId = user.id;
  running = true;
  poll();
}

export function stop() {
  running = false;
  if (timer) clearTimeout(timer);
  timer = null;
  items = [];
  unread = new Set();
  emit([]);
}

/** Polls now (after placing an order, so its confirmation shows up sooner). */
export function refreshSoon() {
  if (!running) return;
  if (timer) clearTimeout(timer);
  timer = setTimeout(poll, 500);
}

export function list() {
  return items;
}

export function isUnread(id) {
  return unread.has(id);
}

export function markAllRead() {
  if (!unread.size) return;
  unread = new Set();
  saveSeen();
  emit([]);
}

/** The kitchen's confirmation of an order (its CREATED notification), if it has arrived. */
export function forOrder(orderId) {
  return items.find((n) => n.orderId === orderId && (n.state || 'CREATED') === 'CREATED') ?? null;
}

/** Every notification about an order, oldest state first. */
export function allForOrder(orderId) {
  return items.filter((n) => n.orderId === orderId).sort((a, b) => (a.sequence || 1) - (b.sequence || 1));
}

const WORDS = {
  CREATED: { title: 'Order confirmed', text: (ref) => `The kitchen has confirmed order #${ref}.` },
  ACCEPTED: { title: 'Order accepted', text: (ref) => `The kitchen has accepted order #${ref}.` },
  OUT_FOR_DELIVERY: { title: 'On its way', text: (ref) => `Order #${ref} is on its way to you.` },
  DELIVERED: { title: 'Delivered', text: (ref) => `Order #${ref} has been delivered. Enjoy!` },
  CANCELLED: { title: 'Order cancelled', text: (ref) => `Order #${ref} was cancelled.` },
};

/**
 * {title, text} of a notification in the UI's words, from its structured fields (state, orderRef,
 * reason); the service's own `message` (Spanish, as in its log) is only the fallback.
 */
export function wording(n) {
  const ref = n.orderRef || String(n.orderId || '').replaceAll('-', '').slice(0, 8).toUpperCase();
  const words = WORDS[n.state || 'CREATED'];
  if (!words) return { title: 'Order update', text: n.message };
  const text = words.text(ref) + (n.state === 'CANCELLED' && n.reason ? ` Reason: ${n.reason}` : '');
  return { title: words.title, text };
}

/** fn({items, unread, fresh}) after every poll; returns the unsubscribe function. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
