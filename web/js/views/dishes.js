// How a dish looks on the menu: its picture (an emoji on a tinted tile, no image files to
// fetch) and the order and names of the categories.

const CATEGORIES = [
  { id: 'burgers', name: 'Burgers', blurb: 'Smashed to order on a brioche bun.' },
  { id: 'pizzas', name: 'Pizzas', blurb: 'Stone-baked, 48-hour dough.' },
  { id: 'sides', name: 'Sides', blurb: 'For sharing, or not.' },
  { id: 'drinks', name: 'Drinks', blurb: 'Cold, fizzy and freshly squeezed.' },
  { id: 'desserts', name: 'Desserts', blurb: 'Save some room.' },
];

const byKeyword = [
  [/veggie|garden/i, '🥬'],
  [/burger/i, '🍔'],
  [/pizza|formaggi/i, '🍕'],
  [/onion/i, '🧅'],
  [/sweet potato/i, '🍠'],
  [/fries|chips/i, '🍟'],
  [/lemon/i, '🍋'],
  [/water/i, '💧'],
  [/\bcola\b|soda/i, '🥤'],
  [/churro/i, '☕'],
  [/chocolate|lava/i, '🍫'],
  [/tiramisu|cake/i, '🍰'],
];

const byCategory = { burgers: '🍔', pizzas: '🍕', sides: '🍟', drinks: '🥤', desserts: '🍰' };

/** The emoji shown for a dish. */
export function dishEmoji(product) {
  for (const [pattern, emoji] of byKeyword) if (pattern.test(product.name)) return emoji;
  return byCategory[product.category] || '🍽️';
}

/** Categories in menu order (known ones first, then any new ones alphabetically). */
export function categoriesOf(products) {
  const present = new Set(products.map((p) => p.category));
  const known = CATEGORIES.filter((c) => present.has(c.id));
  const extra = [...present]
    .filter((id) => !CATEGORIES.some((c) => c.id === id))
    .sort()
    .map((id) => ({ id, name: id.charAt(0).toUpperCase() + id.slice(1), blurb: '' }));
  return [...known, ...extra];
}
