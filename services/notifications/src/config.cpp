#include "config.hpp"

namespace comanda::notifications {

Config LoadConfig(core::ConfigReader& reader) {
  Config config;
  config.common = core::ReadCommonConfig(reader, "notifications-service", 3004);
  config.database_url = reader.Url(
      "DATABASE_URL", "postgresql://notifications:notifications@localhost:5432/notifications",
      {"postgresql", "postgres"}, "PostgreSQL URL of the notifications database");
  const auto problems = reader.Problems().size();
  config.amqp_url =
      reader.Url("AMQP_URL", "amqp://guest:guest@localhost:5672/%2f", {"amqp"},
                 "RabbitMQ URL (`%2f` is the vhost `/`); a cluster: one URL per node, "
                 "comma-separated");
  if (const auto amqp = bus::ParseAmqpUrls(config.amqp_url)) {
    config.amqp = *amqp;
  } else if (reader.Problems().size() == problems) {  // not reported already
    reader.Fail("AMQP_URL",
                "must be amqp://user:pass@host:port/vhost (comma-separated for several nodes)");
  }
  config.amqp_timeout = reader.Millis("AMQP_TIMEOUT_MS", 5000, 100, 60000,
                                      "RabbitMQ connect, RPC and publisher-confirm deadline");
  config.prefetch =
      reader.Int("PREFETCH", 20, 1, 1000, "unacknowledged deliveries the consumer holds at a time");
  config.consumers =
      reader.Int("CONSUMERS", 2, 1, 16,
                 "consumer threads, each with its own RabbitMQ connection and PREFETCH deliveries");
  config.retry.max_attempts =
      reader.Int("RETRY_MAX_ATTEMPTS", 5, 1, 100,
                 "attempts at storing an event before it goes to the dead-letter queue");
  config.retry.base_delay =
      reader.Millis("RETRY_BASE_DELAY_MS", 1000, 1, 3'600'000,
                    "delay before the first retry; each further retry waits twice as long");
  config.retry.max_delay =
      reader.Millis("RETRY_MAX_DELAY_MS", 300'000, 1, 86'400'000, "upper bound of one retry delay");
  config.trust = auth::ReadTrustConfig(reader);
  config.http_timeout = reader.Millis("HTTP_TIMEOUT_MS", 2000, 50, 60000,
                                      "deadline of an outgoing HTTP call (the JWKS fetch)");
  config.streams.heartbeat = reader.Millis(
      "SSE_HEARTBEAT_MS", 15'000, 100, 600'000,
      "a comment line on every open stream this often; below HTTP_HANDLE_TIMEOUT_MS, which "
      "closes a connection that was written nothing for that long");
  if (config.streams.heartbeat >= config.common.http.handle_timeout) {
    reader.Fail("SSE_HEARTBEAT_MS", "must be below HTTP_HANDLE_TIMEOUT_MS");
  }
  config.streams.max_streams = reader.Int("SSE_MAX_STREAMS", 10'000, 1, 1'000'000,
                                          "open event streams per replica; more get 503");
  config.streams.retention =
      std::chrono::seconds{reader.Int("SSE_RETENTION_HOURS", 24, 1, 24 * 365,
                                      "stream events kept for Last-Event-ID replay") *
                           3600};
  return config;
}

}  // namespace comanda::notifications
