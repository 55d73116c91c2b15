#include "comanda/db/pool.hpp"

#include <gtest/gtest.h>

namespace comanda::db {
namespace {

TEST(WithDefaultParameters, AddsTimeoutsAndApplicationName) {
  const auto url = WithDefaultParameters("postgresql://u:p@h:5432/db", "users-service");
  EXPECT_EQ(url,
            "postgresql://u:p@h:5432/db?connect_timeout=3&application_name=users-service"
            "&options=-c%20statement_timeout%3D5000");
}

TEST(WithDefaultParameters, KeepsTheOperatorsChoices) {
  const auto url = WithDefaultParameters("postgresql://h/db?connect_timeout=10", "svc");
  EXPECT_NE(url.find("connect_timeout=10"), std::string::npos);
  EXPECT_EQ(url.find("connect_timeout=3"), std::string::npos);
  EXPECT_NE(url.find("&application_name=svc"), std::string::npos);
}

TEST(Pool, RefusesWorkBeforeInitialization) {
  Pool pool{"postgresql://127.0.0.1:1/none", 1, {}};
  EXPECT_FALSE(pool.initialized());
  EXPECT_FALSE(pool.Ping());
  try {
    pool.Run([](pqxx::connection&) {});
    FAIL() << "expected an error";
  } catch (const core::Error& error) {
    EXPECT_EQ(error.errc(), core::Errc::kUnavailable);
  }
}

}  // namespace
}  // namespace comanda::db
