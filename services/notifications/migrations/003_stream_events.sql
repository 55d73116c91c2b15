-- Issue 16, live updates: what GET /notifications/stream sends, one row per event, in an order
-- that never changes after a reader saw it. The triggers below fill it in the same transaction as
-- the notification or the order's state, so a stream and its Last-Event-ID replay read the same
-- rows. Ids are taken under one transaction-scoped advisory lock: a row with a higher id cannot
-- commit before one with a lower id, so "everything after id N" is exact (gaps only where an
-- insert rolled back or was a duplicate).
CREATE SEQUENCE stream_events_id_seq;
CREATE TABLE stream_events (
  id              bigint PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('notification', 'status')),
  user_id         uuid NOT NULL,
  order_id        uuid NOT NULL,
  notification_id uuid,
  state           text NOT NULL,
  sequence        integer NOT NULL,
  occurred_at     timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX stream_events_user_idx ON stream_events (user_id, id);
CREATE INDEX stream_events_created_idx ON stream_events (created_at);

CREATE FUNCTION stream_events_take_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(1600016);  -- held to commit: ids commit in order
  NEW.id := nextval('stream_events_id_seq');
  RETURN NEW;
END $$;
CREATE TRIGGER stream_events_id BEFORE INSERT ON stream_events
  FOR EACH ROW EXECUTE FUNCTION stream_events_take_id();

-- The customer's notification; an order's confirmation is also staff's "new order".
CREATE FUNCTION stream_events_from_notification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stream_events (id, kind, user_id, order_id, notification_id, state, sequence,
                             occurred_at)
    VALUES (0, 'notification', NEW.user_id, NEW.order_id, NEW.id, NEW.state, NEW.sequence,
            NEW.occurred_at);
  IF NEW.state = 'CREATED' THEN
    INSERT INTO stream_events (id, kind, user_id, order_id, state, sequence, occurred_at)
      VALUES (0, 'status', NEW.user_id, NEW.order_id, 'CREATED', NEW.sequence, NEW.occurred_at);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER notifications_stream AFTER INSERT ON notifications
  FOR EACH ROW EXECUTE FUNCTION stream_events_from_notification();

-- Every forward move of an order (order_states changes only forward), for staff.
CREATE FUNCTION stream_events_from_order_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stream_events (id, kind, user_id, order_id, state, sequence, occurred_at)
    VALUES (0, 'status', NEW.user_id, NEW.order_id, NEW.state, NEW.sequence, NEW.occurred_at);
  RETURN NULL;
END $$;
CREATE TRIGGER order_states_stream AFTER INSERT OR UPDATE ON order_states
  FOR EACH ROW EXECUTE FUNCTION stream_events_from_order_state();
