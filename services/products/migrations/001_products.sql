CREATE TABLE products (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  category    text NOT NULL CHECK (category IN ('burgers', 'pizzas', 'sides', 'drinks', 'desserts')),
  price_cents integer NOT NULL CHECK (price_cents > 0),
  currency    text NOT NULL DEFAULT 'EUR',
  available   boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz
);
CREATE INDEX products_category_idx ON products (category, name) WHERE deleted_at IS NULL;
