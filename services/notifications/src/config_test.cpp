#include "config.hpp"

#include <gtest/gtest.h>

namespace comanda::notifications {
namespace {

TEST(LoadConfig, HasContractDefaults) {
  core::ConfigReader reader{core::MapEnv({})};
  const auto config = LoadConfig(reader);
  EXPECT_TRUE(reader.Problems().empty());
  EXPECT_EQ(config.common.port, 3004);
  EXPECT_EQ(config.database_url,
            "postgresql://notifications:notifications@localhost:5432/notifications");
  EXPECT_EQ(config.amqp, (std::vector<bus::AmqpUrl>{{"localhost", 5672, "guest", "guest", "/"}}));
  EXPECT_EQ(config.retry.max_attempts, 5);
  EXPECT_EQ(config.retry.base_delay.count(), 1000);
  EXPECT_EQ(config.prefetch, 20);
  EXPECT_EQ(config.trust.jwks_url, "http://localhost:3001/.well-known/jwks.json");
  EXPECT_EQ(config.trust.verify.issuer, "users-service");
  EXPECT_EQ(config.trust.verify.audience, "food-ordering");
}

TEST(LoadConfig, ReportsEveryBadVariableByNameOnce) {
  core::ConfigReader reader{core::MapEnv({{"AMQP_URL", "amqp://h/a/b"},
                                          {"RETRY_MAX_ATTEMPTS", "0"},
                                          {"RETRY_BASE_DELAY_MS", "soon"},
                                          {"PREFETCH", "100000"}})};
  LoadConfig(reader);
  ASSERT_EQ(reader.Problems().size(), 4u);
  EXPECT_EQ(reader.Problems()[0].rfind("AMQP_URL", 0), 0u);
  EXPECT_EQ(reader.Problems()[1].rfind("PREFETCH", 0), 0u);
  EXPECT_EQ(reader.Problems()[2].rfind("RETRY_MAX_ATTEMPTS", 0), 0u);
  EXPECT_EQ(reader.Problems()[3].rfind("RETRY_BASE_DELAY_MS", 0), 0u);
}

TEST(LoadConfig, ReportsANonAmqpSchemeOnce) {
  core::ConfigReader reader{core::MapEnv({{"AMQP_URL", "http://rabbit:5672/"}})};
  LoadConfig(reader);
  ASSERT_EQ(reader.Problems().size(), 1u);
  EXPECT_EQ(reader.Problems()[0].rfind("AMQP_URL", 0), 0u);
}

}  // namespace
}  // namespace comanda::notifications
