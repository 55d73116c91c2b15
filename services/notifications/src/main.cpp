// notifications-service: wiring only. Everything it wires is in notifications_lib and the shared
// libraries.
#include <thread>

#include "app.hpp"
#include "comanda/auth/token.hpp"
#include "comanda/db/pool.hpp"
#include "comanda/http/client.hpp"
#include "comanda/http/server.hpp"
#include "config.hpp"
#include "notification_repository.hpp"
#include "order_created_consumer.hpp"

namespace comanda::notifications {
const std::vector<db::Migration>& Migrations();  // generated from migrations/*.sql
}

int main(int argc, char* argv[]) {
  using namespace comanda;
  const auto config = core::LoadConfigOrExit<notifications::Config>(
      argc, argv, notifications::kSummary, notifications::LoadConfig);
  http::Runtime runtime{config.common};

  // One connection more than the workers: the consumer thread stores through the same pool.
  db::Pool db{db::WithDefaultParameters(config.database_url, "notifications-service"),
              static_cast<std::size_t>(config.common.worker_threads) + 1,
              notifications::Statements()};
  const http::Client jwks{{"users-service", config.trust.jwks_url, config.http_timeout}};
  auth::JwksKeys keys{http::DocumentFetcher(jwks, "")};
  const auth::Verifier verifier{keys, config.trust.verify};
  notifications::NotificationRepository repository{db};
  const notifications::App app{repository, verifier};
  notifications::OrderCreatedConsumer consumer{
      {{config.amqp, config.amqp_timeout, ""}, config.prefetch, config.retry},
      repository,
      [&db] { return db.initialized(); },
      runtime.metrics()};

  std::jthread initializer{
      [&](std::stop_token stop) { db.Initialize(notifications::Migrations(), {}, stop); }};
  std::jthread consumer_thread{[&consumer](std::stop_token stop) { consumer.Run(stop); }};
  // SIGTERM: the consumer finishes the message in hand, and the broker requeues the prefetched
  // rest.
  std::stop_callback stop_consumer{runtime.stop_token(),
                                   [&consumer_thread] { consumer_thread.request_stop(); }};
  // RabbitMQ is reported but not required: GET /notifications works without it, and events wait
  // in their durable queue until the consumer is back (notifications_rabbitmq_connected says so).
  return runtime.Serve(app.Routes(),
                       {{"postgres", [&db] { return db.Ping(); }},
                        {"rabbitmq", [&consumer] { return consumer.connected(); }, false}});
}
