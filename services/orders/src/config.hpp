#pragma once

#include <chrono>
#include <string>

#include "comanda/auth/token.hpp"
#include "comanda/bus/url.hpp"
#include "comanda/core/config.hpp"

namespace comanda::orders {

struct Config {
  core::CommonConfig common;
  std::string database_url;
  std::string amqp_url;
  std::vector<bus::AmqpUrl> amqp;  // every node of the broker
  std::string users_url;
  std::string products_url;
  auth::TrustConfig trust;  // JWKS_URL, JWT_ISSUER, JWT_AUDIENCE
  std::chrono::milliseconds http_timeout{2000};
  int breaker_failures = 5;
  std::chrono::milliseconds breaker_open{5000};
  int outbox_batch_size = 100;
  std::chrono::milliseconds outbox_poll{1000};
  std::chrono::milliseconds amqp_timeout{5000};
  std::chrono::seconds outbox_retention{3600};        // 0: keep sent outbox rows forever
  std::chrono::seconds idempotency_retention{86400};  // 0: keep idempotency keys forever
  std::chrono::seconds prune_interval{60};
  int prune_batch_size = 1000;
};

inline constexpr std::string_view kSummary =
    "orders-service: places orders (checked with users- and products-service) and publishes "
    "OrderCreated events through a transactional outbox.";

/// The service's configuration table.
Config LoadConfig(core::ConfigReader& reader);

}  // namespace comanda::orders
