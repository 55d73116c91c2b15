// orders-service: wiring only. Everything it wires is in orders_lib and the shared libraries.
#include <thread>

#include "app.hpp"
#include "comanda/auth/token.hpp"
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
  orders::UsersGateway users{users_dependency};
  orders::ProductsGateway products{products_dependency};
  orders::OrderRepository repository{db};
  orders::OrderService service{repository, users, products};
  const orders::App app{service, verifier};

  orders::OutboxRelay relay{{db::WithDefaultParameters(config.database_url, "orders-service-relay"),
                             {{config.amqp, config.amqp_timeout, "orders-service outbox relay"},
                              {{std::string{orders::kOrdersExchange}, "topic"}},
                              config.amqp_timeout},
                             config.outbox_batch_size,
                             config.outbox_poll},
                            [&db] { return db.initialized(); },
                            runtime.metrics()};

  // Its own connection and thread, so that deleting expired rows never delays the relay or a
  // request.
  orders::Pruner pruner{{db::WithDefaultParameters(config.database_url, "orders-service-pruner"),
                         config.outbox_retention, config.idempotency_retention,
                         config.prune_interval, config.prune_batch_size},
                        [&db] { return db.initialized(); },
                        runtime.metrics()};

  std::jthread initializer{
      [&](std::stop_token stop) { db.Initialize(orders::Migrations(), {}, stop); }};
  std::jthread relay_thread{[&relay](std::stop_token stop) { relay.Run(stop); }};
  std::jthread pruner_thread{[&pruner](std::stop_token stop) { pruner.Run(stop); }};
  // SIGTERM stops the relay at once; rows it has not sent wait for the next start (or a replica).
  // The pruner stops between two batches.
  std::stop_callback stop_relay{runtime.stop_token(),
                                [&relay_thread] { relay_thread.request_stop(); }};
  std::stop_callback stop_pruner{runtime.stop_token(),
                                 [&pruner_thread] { pruner_thread.request_stop(); }};
  // RabbitMQ is reported but not required: orders are accepted while it is down (the outbox holds
  // the events until the relay reconnects).
  return runtime.Serve(app.Routes(),
                       {{"postgres", [&db] { return db.Ping(); }},
                        {"rabbitmq", [&relay] { return relay.broker_connected(); }, false}});
}
