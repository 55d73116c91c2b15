-- One row per OrderCreated event: the UNIQUE event_id is what makes consuming idempotent.
CREATE TABLE notifications (
  id             uuid PRIMARY KEY,
  seq            bigint GENERATED ALWAYS AS IDENTITY,
  event_id       uuid NOT NULL UNIQUE,
  order_id       uuid NOT NULL,
  user_id        uuid NOT NULL,
  message        text NOT NULL,
  total_cents    bigint NOT NULL CHECK (total_cents >= 0),
  currency       text NOT NULL,
  correlation_id text NOT NULL DEFAULT '',
  occurred_at    timestamptz NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, seq DESC);
