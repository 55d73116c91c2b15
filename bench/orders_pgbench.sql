-- pgbench script: the plain inserts of one POST /orders transaction (services/orders/src/order_repository.cpp),
-- the work no implementation of the order path can skip: the order, 1-3 items and the outbox row, in one
-- transaction. Not the idempotency key's row, which the service also writes (issue 19 measures against the
-- plain inserts). Run with -M prepared against a copy of the orders schema (bench/orders.sh makes it).
\set lines random(1, 3)
\set user random(1, 8)
BEGIN;
INSERT INTO orders (id, user_id, status, total_cents, currency, delivery_address, notes, created_at)
  VALUES (gen_random_uuid(), ('00000000-0000-4000-8000-00000000000' || :user)::uuid, 'CREATED', 2590, 'EUR',
          '1 Benchmark Street, Testville', 'ring twice', now()) RETURNING id AS order_id \gset
INSERT INTO order_items (order_id, line, product_id, name, unit_price_cents, quantity, line_total_cents)
  VALUES (:order_id, 1, '0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d01', 'Classic Smash Burger', 1090, 1, 1090);
\if :lines >= 2
INSERT INTO order_items (order_id, line, product_id, name, unit_price_cents, quantity, line_total_cents)
  VALUES (:order_id, 2, '0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d02', 'Bacon BBQ Burger', 1250, 1, 1250);
\endif
\if :lines >= 3
INSERT INTO order_items (order_id, line, product_id, name, unit_price_cents, quantity, line_total_cents)
  VALUES (:order_id, 3, '0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d03', 'Garden Veggie Burger', 1150, 1, 1150);
\endif
INSERT INTO outbox (id, aggregate_id, event_type, routing_key, payload, correlation_id)
  VALUES (gen_random_uuid(), :order_id, 'OrderCreated', 'order.created',
          '{"eventId":"x","eventType":"OrderCreated","occurredAt":"2026-01-01T00:00:00.000Z","correlationId":"req-0123456789abcdef","data":{"orderId":"x","userId":"x","customer":{"email":"bench@example.com","name":"Bench Customer"},"items":[{"productId":"0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d01","name":"Classic Smash Burger","unitPriceCents":1090,"quantity":1,"lineTotalCents":1090}],"totalCents":2590,"currency":"EUR","deliveryAddress":"1 Benchmark Street, Testville"}}',
          'req-0123456789abcdef');
COMMIT;
