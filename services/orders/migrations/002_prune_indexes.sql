-- The pruner (src/pruner.cpp) deletes sent outbox rows and idempotency keys older than their retention,
-- oldest first in small batches: these indexes let each batch find its rows without a scan of the table.
-- IF NOT EXISTS: on a large existing database they can be built beforehand, without blocking writes, with
--   CREATE INDEX CONCURRENTLY outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
--   CREATE INDEX CONCURRENTLY idempotency_keys_created ON idempotency_keys (created_at);
CREATE INDEX IF NOT EXISTS outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (created_at);
