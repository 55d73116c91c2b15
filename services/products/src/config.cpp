#include "config.hpp"

namespace comanda::products {

Config LoadConfig(core::ConfigReader& reader) {
  Config config;
  config.common = core::ReadCommonConfig(reader, "products-service", 3002);
  config.database_url =
      reader.Url("DATABASE_URL", "postgresql://products:products@localhost:5432/products",
                 {"postgresql", "postgres"}, "PostgreSQL URL of the products database");
  const auto redis_url = reader.Url("REDIS_URL", "redis://localhost:6379/0", {"redis"},
                                    "Redis URL of the catalog cache");
  if (auto parsed = cache::ParseRedisUrl(redis_url)) {
    config.redis = std::move(*parsed);
  } else if (reader.Problems().empty() || reader.Problems().back().rfind("REDIS_URL", 0) != 0) {
    reader.Fail("REDIS_URL", "must be redis://[:password@]host[:port][/db 0-15]");
  }
  config.redis_timeout = reader.Millis("REDIS_TIMEOUT_MS", 200, 10, 10000,
                                       "deadline of one Redis command (connect included)");
  config.cache_ttl = std::chrono::seconds{
      reader.Int("CACHE_TTL_SECONDS", 60, 1, 86400, "lifetime of a cached catalog answer")};
  config.trust = auth::ReadTrustConfig(reader);
  config.http_timeout = reader.Millis("HTTP_TIMEOUT_MS", 2000, 50, 60000,
                                      "deadline of an outgoing HTTP call (the JWKS fetch)");
  return config;
}

}  // namespace comanda::products
