#include "config.hpp"

namespace comanda::orders {

Config LoadConfig(core::ConfigReader& reader) {
  Config config;
  config.common = core::ReadCommonConfig(reader, "orders-service", 3003);
  config.database_url =
      reader.Url("DATABASE_URL", "postgresql://orders:orders@localhost:5432/orders",
                 {"postgresql", "postgres"}, "PostgreSQL URL of the orders database");
  config.amqp_url =
      reader.Url("AMQP_URL", "amqp://guest:guest@localhost:5672/%2f", {"amqp"},
                 "RabbitMQ URL (`%2f` is the vhost `/`); a cluster: one URL per node, "
                 "comma-separated");
  if (const auto amqp = bus::ParseAmqpUrls(config.amqp_url)) {
    config.amqp = *amqp;
  } else {
    reader.Fail("AMQP_URL",
                "must be amqp://user:pass@host:port/vhost (comma-separated for several nodes)");
  }
  config.users_url = reader.Url("USERS_URL", "http://localhost:3001", {"http", "https"},
                                "base URL of users-service");
  config.products_url = reader.Url("PRODUCTS_URL", "http://localhost:3002", {"http", "https"},
                                   "base URL of products-service");
  config.trust = auth::ReadTrustConfig(reader);
  config.http_timeout =
      reader.Millis("HTTP_TIMEOUT_MS", 2000, 50, 60000, "deadline of each call to another service");
  config.breaker_failures =
      reader.Int("BREAKER_FAILURES", 5, 1, 1000,
                 "consecutive failures of a dependency that open its circuit breaker");
  config.breaker_open = reader.Millis("BREAKER_OPEN_MS", 5000, 100, 600000,
                                      "how long an open breaker refuses calls before a trial");
  config.outbox_batch_size =
      reader.Int("OUTBOX_BATCH_SIZE", 100, 1, 1000, "outbox rows the relay claims at a time");
  config.outbox_poll = reader.Millis("OUTBOX_POLL_MS", 1000, 50, 60000,
                                     "relay poll interval when no NOTIFY arrives");
  config.amqp_timeout = reader.Millis("AMQP_TIMEOUT_MS", 5000, 100, 60000,
                                      "RabbitMQ connect, RPC and publisher-confirm deadline");
  constexpr int kYear = 365 * 86400;
  config.outbox_retention = std::chrono::seconds{
      reader.Int("OUTBOX_RETENTION_S", 3600, 0, kYear,
                 "seconds a sent outbox row is kept before it is pruned (0: forever)")};
  config.idempotency_retention = std::chrono::seconds{reader.Int(
      "IDEMPOTENCY_KEY_RETENTION_S", 86400, 0, kYear,
      "seconds an Idempotency-Key is kept; a repeat after that makes a new order (0: forever)")};
  config.prune_interval = std::chrono::seconds{
      reader.Int("PRUNE_INTERVAL_S", 60, 1, 86400, "seconds between two pruning runs")};
  config.prune_batch_size = reader.Int("PRUNE_BATCH_SIZE", 1000, 1, 10000,
                                       "rows deleted per pruning statement (one transaction)");
  return config;
}

}  // namespace comanda::orders
