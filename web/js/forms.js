// Form fields with their labels, hints and error messages wired for screen readers
// (aria-describedby, aria-invalid), and the form-level alert.

import { h, replace } from './dom.js';
import { describe, fieldErrors } from './messages.js';

let counter = 0;

/**
 * A labelled field. attrs go on the <input> (or <textarea> when multiline). The error
 * paragraph sits right under the control.
 */
export function field({ label, name, hint = '', multiline = false, ...attrs }) {
  const id = `f-${name}-${++counter}`;
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const control = h(multiline ? 'textarea' : 'input', {
    id,
    name,
    'aria-describedby': [hintId, errorId].filter(Boolean).join(' '),
    ...attrs,
  });
  return h(
    'div',
    { class: 'field', dataset: { field: name } },
    h('label', { for: id }, label, attrs.required ? null : h('span', { class: 'optional' }, ' (optional)')),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    control,
    h('p', { class: 'field-error', id: errorId, hidden: true }),
  );
}

/** The form's alert box (role=alert: read out as soon as it fills). */
export function formAlert() {
  return h('div', { class: 'form-alert', role: 'alert', tabindex: -1, hidden: true });
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const alert = form.querySelector('.form-alert');
  if (alert) {
    alert.hidden = true;
    alert.replaceChildren();
  }
}

/** Puts messages beside their fields ({name: [sentences]}); focuses the first. Returns leftovers. */
export function showFieldErrors(form, byField) {
  const leftover = {};
  let first = null;
  for (const [name, sentences] of Object.entries(byField)) {
    const wrapper = form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
    if (!wrapper) {
      leftover[name] = sentences;
      continue;
    }
    const control = wrapper.querySelector('input, textarea, select');
    const error = wrapper.querySelector('.field-error');
    error.textContent = sentences.join(' ');
    error.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    first ||= control;
  }
  first?.focus();
  return leftover;
}

/** Shows a failed call in words: field errors beside fields, the rest in the alert. */
export function showError(form, error, { extra = '' } = {}) {
  clearErrors(form);
  const leftover = showFieldErrors(form, fieldErrors(error));
  const alert = form.querySelector('.form-alert');
  if (!alert) return;
  const lines = [describe(error), ...Object.values(leftover).flat()];
  if (extra) lines.push(extra);
  replace(alert, lines.map((line) => h('p', {}, line)));
  alert.hidden = false;
  if (!form.querySelector('[aria-invalid]')) alert.focus?.();
}

/** Marks a submit button busy (disabled, spinner, aria-busy) and returns a function to undo it. */
export function busy(button, text) {
  const old = [...button.childNodes];
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  replace(button, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
  return () => {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    replace(button, old);
  };
}
