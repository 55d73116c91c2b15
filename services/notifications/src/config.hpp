#pragma once

#include <chrono>
#include <string>

#include "comanda/auth/token.hpp"
#include "comanda/bus/url.hpp"
#include "comanda/core/config.hpp"
#include "retry.hpp"
#include "stream_hub.hpp"

namespace comanda::notifications {

struct Config {
  core::CommonConfig common;
  std::string database_url;
  std::string amqp_url;
  std::vector<bus::AmqpUrl> amqp;  // every node of the broker
  std::chrono::milliseconds amqp_timeout{5000};
  int prefetch = 20;
  int consumers = 2;  // consumer threads, each with its own connection
  RetryPolicy retry;
  auth::TrustConfig trust;  // JWKS_URL, JWT_ISSUER, JWT_AUDIENCE
  std::chrono::milliseconds http_timeout{2000};
  HubSettings streams;  // GET /notifications/stream
};

inline constexpr std::string_view kSummary =
    "notifications-service: turns OrderCreated events into notifications, exactly once each.";

/// The service's configuration table.
Config LoadConfig(core::ConfigReader& reader);

}  // namespace comanda::notifications
