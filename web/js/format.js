// Money and dates. Prices come as integer minor units (cents) with a currency code and are shown
// in Spanish formatting (the restaurant is in Spain: "12,50 €"); dates in British English, to
// match the English text of the storefront ("28 Nov 2026, 13:05").

const moneyFormats = new Map();

/** 1250, 'EUR' -> "12,50 €" */
export function money(cents, currency = 'EUR') {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('es-ES', { style: 'currency', currency });
    moneyFormats.set(currency, format);
  }
  return format.format(cents / 100);
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short' });

/** RFC 3339 -> "28 Nov 2026, 13:05" in the visitor's time zone. */
export function dateTime(rfc3339) {
  const date = new Date(rfc3339);
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date);
}

/** RFC 3339 -> "13:05", or "28 Nov 2026, 13:05" when it was not today. */
export function shortTime(rfc3339) {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return '';
  return date.toDateString() === new Date().toDateString() ? timeFormat.format(date) : dateFormat.format(date);
}

/** The short order number people read out on the phone: first 8 hex digits of the id. */
export function orderNumber(id) {
  return String(id).replaceAll('-', '').slice(0, 8).toUpperCase();
}

export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}
