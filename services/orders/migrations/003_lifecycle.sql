-- Issue 16: the order's life after CREATED. `version` counts the order's states (1 = CREATED) and
-- is the per-order sequence number of its OrderStatusChanged events and the ETag of the order.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN
  ('CREATED', 'ACCEPTED', 'PREPARING', 'OUT_FOR_DELIVERY', 'DELIVERED', 'CANCELLED'));
ALTER TABLE orders ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);

-- One row per transition (CREATED itself is the order row: created_at, user_id).
CREATE TABLE order_status_history (
  order_id    uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  version     integer NOT NULL CHECK (version >= 2),
  from_status text NOT NULL,
  to_status   text NOT NULL,
  at          timestamptz NOT NULL,
  by_user     uuid NOT NULL,
  by_role     text NOT NULL,
  reason      text,
  PRIMARY KEY (order_id, version)
);

-- The staff's board: everyone's orders in some states, newest first.
CREATE INDEX orders_by_status ON orders (status, seq DESC);
