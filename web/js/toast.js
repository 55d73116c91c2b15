// Short messages in the corner, announced by screen readers (the #toasts region is aria-live).

import { h } from './dom.js';

const SHOW_MS = 7000;

/** Shows a toast; kind is 'info', 'success' or 'error'. */
export function toast(text, { title = '', kind = 'info', timeout = SHOW_MS } = {}) {
  const region = document.getElementById('toasts');
  if (!region) return;
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, '×');
  const el = h(
    'div',
    { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('div', { class: 'toast-body' }, title ? h('strong', { class: 'toast-title' }, title) : null, h('span', {}, text)),
    close,
  );
  const dismiss = () => el.remove();
  close.addEventListener('click', dismiss);
  region.append(el);
  if (timeout) setTimeout(dismiss, timeout);
}

/** Says something to screen readers only (the polite #announcer region). */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A fresh text node a tick later makes repeated messages be read again.
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}
