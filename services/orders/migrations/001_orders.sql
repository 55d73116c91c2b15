CREATE TABLE orders (
  id               uuid PRIMARY KEY,
  seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- a stable newest-first order
  user_id          uuid NOT NULL,
  status           text NOT NULL CHECK (status IN ('CREATED')),
  total_cents      bigint NOT NULL CHECK (total_cents >= 0),
  currency         text NOT NULL,
  delivery_address text NOT NULL,
  notes            text,
  created_at       timestamptz NOT NULL
);
CREATE INDEX orders_by_user ON orders (user_id, seq DESC);

CREATE TABLE order_items (
  order_id         uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  line             integer NOT NULL,
  product_id       uuid NOT NULL,
  name             text NOT NULL,
  unit_price_cents bigint NOT NULL CHECK (unit_price_cents >= 0),
  quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
  line_total_cents bigint NOT NULL CHECK (line_total_cents >= 0),
  PRIMARY KEY (order_id, line),
  UNIQUE (order_id, product_id)
);

-- One row per (user, key): the primary key is what makes concurrent duplicates create one order.
CREATE TABLE idempotency_keys (
  user_id      uuid NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  order_id     uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

CREATE TABLE outbox (
  id             uuid PRIMARY KEY,  -- the event's eventId, also the AMQP message_id
  seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  aggregate_id   uuid NOT NULL,
  event_type     text NOT NULL,
  routing_key    text NOT NULL,
  payload        text NOT NULL,     -- the exact message body
  correlation_id text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  attempts       integer NOT NULL DEFAULT 0,
  last_error     text,
  sent_at        timestamptz
);
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;

-- Wakes the relay (LISTEN outbox) when the inserting transaction commits.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
