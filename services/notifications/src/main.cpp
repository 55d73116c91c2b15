// notifications-service: wiring only. Everything it wires is in notifications_lib and the shared
// libraries.
#include <algorithm>
#include <memory>
#include <vector>

#include "app.hpp"
#include "comanda/auth/token.hpp"
#include "comanda/core/worker.hpp"
#include "comanda/db/pool.hpp"
#include "comanda/http/client.hpp"
#include "comanda/http/server.hpp"
#include "config.hpp"
#include "event_fanout.hpp"
#include "notification_repository.hpp"
#include "order_created_consumer.hpp"
#include "stream_event_repository.hpp"
#include "stream_hub.hpp"

namespace comanda::notifications {
const std::vector<db::Migration>& Migrations();  // generated from migrations/*.sql
}

int main(int argc, char* argv[]) {
  using namespace comanda;
  const auto config = core::LoadConfigOrExit<notifications::Config>(
      argc, argv, notifications::kSummary, notifications::LoadConfig);
  http::Runtime runtime{config.common};

  // One connection more than the workers per consumer, and one for the stream hub: those threads
  // use the same pool.
  auto statements = notifications::Statements();
  for (auto& statement : notifications::StreamStatements()) statements.push_back(statement);
  db::Pool db{db::WithDefaultParameters(config.database_url, "notifications-service"),
              static_cast<std::size_t>(config.common.worker_threads + config.consumers + 1),
              std::move(statements)};
  const http::Client jwks{{"users-service", config.trust.jwks_url, config.http_timeout}};
  auth::JwksKeys keys{http::DocumentFetcher(jwks, "")};
  const auth::Verifier verifier{keys, config.trust.verify};
  notifications::NotificationRepository repository{db};
  notifications::StreamEventRepository stream_events{db};
  notifications::StreamHub hub{stream_events, config.streams, runtime.metrics()};
  notifications::EventFanout fanout{
      {config.amqp, config.amqp_timeout, ""}, [&hub] { hub.Notify(); }, runtime.metrics()};
  const notifications::App app{repository, hub, verifier};
  // Several consumers on the work queue, so that storing one message at a time (a transaction and
  // an ack each) does not hold the others back; storing is idempotent by event id.
  std::vector<std::unique_ptr<notifications::OrderCreatedConsumer>> consumers;
  consumers.reserve(static_cast<std::size_t>(config.consumers));
  for (int i = 0; i < config.consumers; ++i) {
    consumers.push_back(std::make_unique<notifications::OrderCreatedConsumer>(
        notifications::ConsumerSettings{
            {config.amqp, config.amqp_timeout, ""}, config.prefetch, config.retry},
        repository, [&db] { return db.Ping(); }, runtime.metrics()));
  }
  const auto all_connected = [&consumers] {
    return std::all_of(consumers.begin(), consumers.end(),
                       [](const auto& consumer) { return consumer->connected(); });
  };
  runtime.metrics().AddGauge("notifications_rabbitmq_connected",
                             "1 while the consumers hold their RabbitMQ connections",
                             [all_connected] { return all_connected() ? 1.0 : 0.0; });
  runtime.metrics().AddGauge(
      "notifications_consumer_paused", "Consumers paused now because the database is unavailable",
      [&consumers] {
        return static_cast<double>(std::count_if(consumers.begin(), consumers.end(),
                                                 [](const auto& c) { return c->paused(); }));
      });

  db.InitializeInBackground(notifications::Migrations());
  // Nothing is consumed before the schema exists. SIGTERM: each consumer finishes the message in
  // hand, and the broker requeues the prefetched rest.
  std::vector<std::unique_ptr<core::Worker>> workers;
  workers.reserve(consumers.size() + 2);
  for (auto& consumer : consumers) {
    workers.push_back(
        std::make_unique<core::Worker>("consumer", *consumer, runtime.stop_token(),
                                       core::WorkerOptions{[&db] { return db.initialized(); }}));
  }
  // Live updates: one worker writes every stream (the migrations create its table), one listens
  // to the exchange for this replica. SIGTERM: the hub closes every stream, and the drain waits.
  workers.push_back(
      std::make_unique<core::Worker>("stream hub", hub, runtime.stop_token(),
                                     core::WorkerOptions{[&db] { return db.initialized(); }}));
  workers.push_back(std::make_unique<core::Worker>("live updates", fanout, runtime.stop_token()));
  // RabbitMQ is reported but not required: GET /notifications works without it, and events wait
  // in their durable queue until the consumer is back (notifications_rabbitmq_connected says so).
  return runtime.Serve(app.Routes(), {{"postgres", [&db] { return db.Ping(); }},
                                      {"rabbitmq", all_connected, false}});
}
