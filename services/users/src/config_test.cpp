#include "config.hpp"

#include <gtest/gtest.h>

namespace comanda::users {
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
  EXPECT_EQ(config.common.port, 3001);
  EXPECT_EQ(config.database_url, "postgresql://users:users@localhost:5432/users");
  EXPECT_EQ(config.jwt_issuer, "users-service");
  EXPECT_EQ(config.jwt_audience, "food-ordering");
  EXPECT_EQ(config.jwt_ttl.count(), 900);
  EXPECT_TRUE(config.jwt_generate_key);
  EXPECT_FALSE(config.admin_email);
}

TEST(LoadConfig, AdminNeedsBothVariables) {
  std::vector<std::string> problems;
  Load({{"ADMIN_EMAIL", "admin@example.com"}}, &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("ADMIN_PASSWORD", 0), 0u);
}

TEST(LoadConfig, NormalisesAndValidatesTheAdmin) {
  std::vector<std::string> problems;
  auto config =
      Load({{"ADMIN_EMAIL", " Admin@Example.com "}, {"ADMIN_PASSWORD", "long-enough"}}, &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(config.admin_email, "admin@example.com");
  Load({{"ADMIN_EMAIL", "nope"}, {"ADMIN_PASSWORD", "short"}}, &problems);
  EXPECT_EQ(problems.size(), 2u);
}

TEST(LoadConfig, BoundsThePasswordHashConcurrency) {
  std::vector<std::string> problems;
  EXPECT_GE(Load({}, &problems).password_hash_concurrency, 1);
  EXPECT_EQ(Load({{"PASSWORD_HASH_CONCURRENCY", "3"}}, &problems).password_hash_concurrency, 3);
  EXPECT_TRUE(problems.empty());
  for (const auto* bad : {"0", "65", "two", "-1"}) {
    Load({{"PASSWORD_HASH_CONCURRENCY", bad}}, &problems);
    ASSERT_EQ(problems.size(), 1u) << bad;
    EXPECT_EQ(problems[0].rfind("PASSWORD_HASH_CONCURRENCY", 0), 0u) << problems[0];
  }
}

TEST(LoadConfig, RejectsANonPostgresUrl) {
  std::vector<std::string> problems;
  Load({{"DATABASE_URL", "mysql://db/users"}, {"JWT_TTL_SECONDS", "5"}}, &problems);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].rfind("DATABASE_URL", 0), 0u);
  EXPECT_EQ(problems[1].rfind("JWT_TTL_SECONDS", 0), 0u);
}

}  // namespace
}  // namespace comanda::users
