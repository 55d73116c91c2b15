-- Issue 16: notifications for an order's later states, with structured fields the UI words.
ALTER TABLE notifications ADD COLUMN state text NOT NULL DEFAULT 'CREATED';
ALTER TABLE notifications ADD COLUMN sequence integer NOT NULL DEFAULT 1;
ALTER TABLE notifications ADD COLUMN reason text;

-- The newest state known per order: an OrderStatusChanged event whose sequence is not above it
-- (late, or a replay) changes nothing.
CREATE TABLE order_states (
  order_id    uuid PRIMARY KEY,
  user_id     uuid NOT NULL,
  state       text NOT NULL,
  sequence    integer NOT NULL,
  occurred_at timestamptz NOT NULL
);
