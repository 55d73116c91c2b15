#pragma once

#include <chrono>
#include <string>

#include "comanda/auth/token.hpp"
#include "comanda/cache/redis.hpp"
#include "comanda/core/config.hpp"

namespace comanda::products {

struct Config {
  core::CommonConfig common;
  std::string database_url;
  cache::RedisUrl redis;
  std::chrono::milliseconds redis_timeout{200};
  std::chrono::seconds cache_ttl{60};
  auth::TrustConfig trust;  // JWKS_URL, JWT_ISSUER, JWT_AUDIENCE
  std::chrono::milliseconds http_timeout{2000};
};

inline constexpr std::string_view kSummary =
    "products-service: the Comanda menu, from PostgreSQL behind a Redis cache.";

/// The service's configuration table.
Config LoadConfig(core::ConfigReader& reader);

}  // namespace comanda::products
