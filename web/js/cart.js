// The cart: one line per product with a quantity, kept in sessionStorage so a reload keeps it.
// Names and prices here are only for display; orders-service prices every line itself.

const KEY = 'comanda.cart';
export const MAX_QUANTITY = 99;
const MAX_LINES = 50; // the contract's limit of lines per order
const listeners = new Set();
let lines = load();

function load() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || '[]');
    return Array.isArray(saved) ? saved.filter((l) => l && l.productId && l.quantity > 0) : [];
  } catch {
    return [];
  }
}

function changed() {
  sessionStorage.setItem(KEY, JSON.stringify(lines));
  for (const fn of listeners) fn(lines);
}

export function items() {
  return lines;
}

export function count() {
  return lines.reduce((n, l) => n + l.quantity, 0);
}

export function quantityOf(productId) {
  return lines.find((l) => l.productId === productId)?.quantity ?? 0;
}

/** Total in cents of the lines that can be ordered, with their currency. */
export function total() {
  const orderable = lines.filter((l) => !l.unavailable);
  return {
    cents: orderable.reduce((sum, l) => sum + l.priceCents * l.quantity, 0),
    currency: orderable[0]?.currency || lines[0]?.currency || 'EUR',
  };
}

/** Adds one (or n) of a product; returns false when the cart cannot take more. */
export function add(product, n = 1) {
  const line = lines.find((l) => l.productId === product.id);
  if (line) {
    if (line.quantity >= MAX_QUANTITY) return false;
    line.quantity = Math.min(MAX_QUANTITY, line.quantity + n);
  } else {
    if (lines.length >= MAX_LINES) return false;
    lines.push({
      productId: product.id,
      name: product.name,
      category: product.category,
      priceCents: product.priceCents,
      currency: product.currency,
      quantity: Math.min(MAX_QUANTITY, n),
    });
  }
  changed();
  return true;
}

/** Sets a line's quantity (clamped to 1..99); 0 or less removes it. */
export function setQuantity(productId, quantity) {
  const line = lines.find((l) => l.productId === productId);
  if (!line) return;
  const q = Math.floor(Number(quantity));
  if (!Number.isFinite(q)) return;
  if (q <= 0) return remove(productId);
  line.quantity = Math.min(MAX_QUANTITY, q);
  changed();
}

export function remove(productId) {
  lines = lines.filter((l) => l.productId !== productId);
  changed();
}

export function clear() {
  lines = [];
  changed();
}

/** Marks lines the server said cannot be ordered (PRODUCT_UNAVAILABLE). */
export function markUnavailable(productIds) {
  for (const line of lines) if (productIds.includes(line.productId)) line.unavailable = true;
  changed();
}

/** Refreshes names, prices and availability from the current menu. */
export function syncWithMenu(products) {
  const byId = new Map(products.map((p) => [p.id, p]));
  let dirty = false;
  for (const line of lines) {
    const p = byId.get(line.productId);
    const next = p
      ? { name: p.name, priceCents: p.priceCents, currency: p.currency, category: p.category, unavailable: !p.available }
      : { unavailable: true };
    for (const [k, v] of Object.entries(next)) {
      if (line[k] !== v) {
        line[k] = v;
        dirty = true;
      }
    }
  }
  if (dirty) changed();
}

/** fn(lines) on every change; returns the unsubscribe function. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
