#include "config.hpp"

#include <gtest/gtest.h>

namespace comanda::products {
namespace {

TEST(LoadConfig, HasContractDefaults) {
  core::ConfigReader reader{core::MapEnv({})};
  const auto config = LoadConfig(reader);
  EXPECT_TRUE(reader.Problems().empty());
  EXPECT_EQ(config.common.port, 3002);
  EXPECT_EQ(config.redis.host, "localhost");
  EXPECT_EQ(config.redis.port, 6379);
  EXPECT_EQ(config.cache_ttl.count(), 60);
  EXPECT_EQ(config.trust.jwks_url, "http://localhost:3001/.well-known/jwks.json");
}

TEST(LoadConfig, ReportsABadRedisUrlOnce) {
  core::ConfigReader reader{
      core::MapEnv({{"REDIS_URL", "redis://host:notaport"}, {"CACHE_TTL_SECONDS", "0"}})};
  LoadConfig(reader);
  ASSERT_EQ(reader.Problems().size(), 2u);
  EXPECT_EQ(reader.Problems()[0].rfind("REDIS_URL", 0), 0u);
  EXPECT_EQ(reader.Problems()[1].rfind("CACHE_TTL_SECONDS", 0), 0u);
}

}  // namespace
}  // namespace comanda::products
