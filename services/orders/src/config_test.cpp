#include "config.hpp"

#include <gtest/gtest.h>

namespace comanda::orders {
namespace {

Config Load(std::map<std::string, std::string> env, std::vector<std::string>* problems = nullptr) {
  core::ConfigReader reader{core::MapEnv(std::move(env))};
  auto config = LoadConfig(reader);
  if (problems != nullptr) *problems = reader.Problems();
  return config;
}

TEST(LoadConfig, HasContractDefaults) {
  std::vector<std::string> problems;
  const auto config = Load({}, &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(config.common.port, 3003);
  EXPECT_EQ(config.database_url, "postgresql://orders:orders@localhost:5432/orders");
  EXPECT_EQ(config.amqp, (std::vector<bus::AmqpUrl>{{"localhost", 5672, "guest", "guest", "/"}}));
  EXPECT_EQ(config.users_url, "http://localhost:3001");
  EXPECT_EQ(config.products_url, "http://localhost:3002");
  EXPECT_EQ(config.trust.jwks_url, "http://localhost:3001/.well-known/jwks.json");
  EXPECT_EQ(config.trust.verify.issuer, "users-service");
  EXPECT_EQ(config.trust.verify.audience, "food-ordering");
  EXPECT_EQ(config.http_timeout.count(), 2000);
}

TEST(LoadConfig, ReadsTheAmqpUrl) {
  const auto config = Load({{"AMQP_URL", "amqp://app:s%40cret@rabbit:5673/shop"}});
  EXPECT_EQ(config.amqp, (std::vector<bus::AmqpUrl>{{"rabbit", 5673, "app", "s@cret", "shop"}}));
}

TEST(LoadConfig, ReadsOneAmqpUrlPerClusterNode) {
  const auto config =
      Load({{"AMQP_URL", "amqp://g:g@127.0.0.1:20672/%2f,amqp://g:g@127.0.0.1:20673/%2f"}});
  EXPECT_EQ(config.amqp, (std::vector<bus::AmqpUrl>{{"127.0.0.1", 20672, "g", "g", "/"},
                                                    {"127.0.0.1", 20673, "g", "g", "/"}}));
}

TEST(LoadConfig, NamesEveryBadVariable) {
  std::vector<std::string> problems;
  Load({{"AMQP_URL", "amqp://rabbit:notaport/"},
        {"USERS_URL", "ftp://x"},
        {"HTTP_TIMEOUT_MS", "fast"},
        {"OUTBOX_BATCH_SIZE", "0"}},
       &problems);
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].rfind("AMQP_URL", 0), 0u);
  EXPECT_EQ(problems[1].rfind("USERS_URL", 0), 0u);
  EXPECT_EQ(problems[2].rfind("HTTP_TIMEOUT_MS", 0), 0u);
  EXPECT_EQ(problems[3].rfind("OUTBOX_BATCH_SIZE", 0), 0u);
}

TEST(LoadConfig, PrunesAfterAnHourAndADayByDefault) {
  const auto config = Load({});
  EXPECT_EQ(config.outbox_retention.count(), 3600);
  EXPECT_EQ(config.idempotency_retention.count(), 86400);
  EXPECT_EQ(config.prune_interval.count(), 60);
  EXPECT_EQ(config.prune_batch_size, 1000);
}

TEST(LoadConfig, ZeroRetentionMeansKeepForever) {
  std::vector<std::string> problems;
  const auto config =
      Load({{"OUTBOX_RETENTION_S", "0"}, {"IDEMPOTENCY_KEY_RETENTION_S", "0"}}, &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(config.outbox_retention.count(), 0);
  EXPECT_EQ(config.idempotency_retention.count(), 0);
}

TEST(LoadConfig, NamesEveryBadPruningVariable) {
  std::vector<std::string> problems;
  Load({{"OUTBOX_RETENTION_S", "-1"},
        {"IDEMPOTENCY_KEY_RETENTION_S", "1d"},
        {"PRUNE_INTERVAL_S", "0"},
        {"PRUNE_BATCH_SIZE", "10001"}},
       &problems);
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].rfind("OUTBOX_RETENTION_S", 0), 0u);
  EXPECT_EQ(problems[1].rfind("IDEMPOTENCY_KEY_RETENTION_S", 0), 0u);
  EXPECT_EQ(problems[2].rfind("PRUNE_INTERVAL_S", 0), 0u);
  EXPECT_EQ(problems[3].rfind("PRUNE_BATCH_SIZE", 0), 0u);
}

TEST(LoadConfig, RetentionsAboveAYearAreRefused) {
  std::vector<std::string> problems;
  Load({{"OUTBOX_RETENTION_S", "31536001"}, {"IDEMPOTENCY_KEY_RETENTION_S", "31536000"}},
       &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("OUTBOX_RETENTION_S", 0), 0u);
}

}  // namespace
}  // namespace comanda::orders
