-- W3C trace context of the request that placed the order: the relay sends it as the event's `traceparent`
-- AMQP header, so that the notification's log lines carry the order's trace id. NULL for rows written before.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS traceparent text;
