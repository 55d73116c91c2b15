-- Issue 19: the relay is woken in-process by the request that wrote the outbox row (core::Wakeup),
-- not by a NOTIFY from a trigger. A NOTIFY takes a database-wide lock from the commit's start to its
-- end, so every order's commit waited for the one before it, fsync included: the plain inserts ran
-- 2.4x faster without it. Rows a replica could not relay (it died) are found by every relay's poll.
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
DROP FUNCTION IF EXISTS outbox_notify();
