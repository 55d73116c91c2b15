// orders-service: wiring only. Everything it wires is in orders_lib and the shared libraries.

#include "app.hpp"
#include "comanda/auth/token.hpp"
#include "comanda/core/worker.hpp"
#include "comanda/db/pool.hpp"
#include "comanda/http/client.hpp"
#include "comanda/http/server.hpp"
#include "config.hpp"
#include "dependencies.hpp"
#include "order_repository.hpp"
#include "order_service.hpp"
#include "outbox_relay.hpp"
#include "pruner.hpp"

namespace comanda::orders {
const std::vector<db::Migration>& Migrations();  // generated from migrations/*.sql
}

int main(int argc, char* argv[]) {
  using namespace comanda;
  const auto config =
      core::LoadConfigOrExit<orders::Config>(argc, argv, orders::kSummary, orders::LoadConfig);
  http::Runtime runtime{config.common};

  db::Pool db{db::WithDefaultParameters(config.database_url, "orders-service"),
              static_cast<std::size_t>(config.common.worker_threads), orders::Statements()};
  const http::Client jwks{{"users-service", config.trust.jwks_url, config.http_timeout}};
  auth::JwksKeys keys{http::DocumentFetcher(jwks, "")};
  const auth::Verifier verifier{keys, config.trust.verify};

  const http::CircuitBreaker::Options breaker{static_cast<std::size_t>(config.breaker_failures),
                                              config.breaker_open};
  const http::Client users_client{{"users-service", config.users_url, config.http_timeout}};
  const http::Client products_client{
      {"products-service", config.products_url, config.http_timeout}};
  orders::Dependency users_dependency{users_client, breaker, runtime.metrics()};
  orders::Dependency products_dependency{products_client, breaker, runtime.metrics()};
  // The CircuitBreakerOpen alert's input: breakers not closed now (open, or half-open waiting for
  // their trial call). Which one: orders_dependency_calls_total{outcome="rejected"} and the log.
  runtime.metrics().AddGauge(
      "orders_circuit_breakers_open",
      "Circuit breakers towards users- and products-service not closed",
      [&users_dependency, &products_dependency] {
        const auto open = [](const orders::Dependency& d) {
          return d.breaker_state() == http::CircuitBreaker::State::kClosed ? 0.0 : 1.0;
        };
        return open(users_dependency) + open(products_dependency);
      });
  orders::HttpLookups lookups{users_dependency, products_dependency};
  // Each request that writes an outbox row wakes this replica's relay after its commit.
  core::Wakeup outbox_written;
  orders::OrderRepository repository{db, outbox_written};
  orders::OrderService service{repository, lookups};
  const orders::App app{service, verifier};

  // Background workers (core::Worker: thread, stop on SIGTERM, ready gate, retries). Each has
  // connections of its own, so that it never delays a request or the other.
  const auto schema_ready = [&db] { return db.initialized(); };
  orders::PgOutboxTable outbox{
      db::WithDefaultParameters(config.database_url, "orders-service-relay")};
  bus::Publisher relay_publisher{{{config.amqp, config.amqp_timeout, "orders-service outbox relay"},
                                  {{std::string{orders::kOrdersExchange}, "topic"}},
                                  config.amqp_timeout}};
  orders::OutboxRelay relay{outbox,
                            relay_publisher,
                            outbox_written,
                            {config.outbox_batch_size, config.outbox_poll},
                            runtime.metrics()};
  orders::PgExpiredRows expired{
      db::WithDefaultParameters(config.database_url, "orders-service-pruner")};
  orders::Pruner pruner{expired,
                        {config.outbox_retention, config.idempotency_retention,
                         config.prune_interval, config.prune_batch_size},
                        runtime.metrics()};

  db.InitializeInBackground(orders::Migrations());
  // SIGTERM stops the relay at once (rows it has not sent wait for the next start or a replica);
  // the pruner stops between two batches.
  const core::Worker relay_worker{"outbox relay", relay, runtime.stop_token(), {schema_ready}};
  const core::Worker pruner_worker{
      "pruner", pruner, runtime.stop_token(), {schema_ready, pruner.RetryDelays()}};
  // RabbitMQ is reported but not required: orders are accepted while it is down (the outbox holds
  // the events until the relay reconnects).
  return runtime.Serve(app.Routes(),
                       {{"postgres", [&db] { return db.Ping(); }},
                        {"rabbitmq", [&relay] { return relay.broker_connected(); }, false}});
}
