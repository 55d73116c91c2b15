#include "comanda/core/config.hpp"

#include <gtest/gtest.h>

namespace comanda::core {
namespace {

TEST(ConfigReader, UsesDefaultsWhenUnset) {
  ConfigReader reader{MapEnv({})};
  const auto common = ReadCommonConfig(reader, "users-service", 3001);
  EXPECT_EQ(common.port, 3001);
  EXPECT_EQ(common.log_level, "info");
  EXPECT_TRUE(reader.Problems().empty());
}

TEST(ConfigReader, TreatsEmptyValueAsUnset) {
  ConfigReader reader{MapEnv({{"PORT", ""}})};
  EXPECT_EQ(reader.Int("PORT", 3001, 0, 65535, "port"), 3001);
  EXPECT_TRUE(reader.Problems().empty());
}

TEST(ConfigReader, ReadsValuesFromTheEnvironment) {
  ConfigReader reader{MapEnv({{"PORT", "8081"}, {"LOG_LEVEL", "debug"}})};
  const auto common = ReadCommonConfig(reader, "svc", 3001);
  EXPECT_EQ(common.port, 8081);
  EXPECT_EQ(common.log_level, "debug");
}

TEST(ConfigReader, ReportsEveryProblemByName) {
  ConfigReader reader{MapEnv({{"PORT", "80x"}, {"LOG_LEVEL", "loud"}, {"WORKER_THREADS", "0"}})};
  ReadCommonConfig(reader, "svc", 3001);
  ASSERT_EQ(reader.Problems().size(), 3u);
  EXPECT_NE(reader.Problems()[0].find("PORT"), std::string::npos);
  EXPECT_NE(reader.Problems()[1].find("LOG_LEVEL"), std::string::npos);
  EXPECT_NE(reader.Problems()[2].find("WORKER_THREADS"), std::string::npos);
}

TEST(ConfigReader, RejectsOutOfRangeIntegers) {
  ConfigReader reader{MapEnv({{"PORT", "70000"}})};
  reader.Int("PORT", 1, 0, 65535, "port");
  ASSERT_EQ(reader.Problems().size(), 1u);
  EXPECT_NE(reader.Problems()[0].find("between 0 and 65535"), std::string::npos);
}

TEST(ConfigReader, ValidatesUrlSchemeAndHost) {
  ConfigReader reader{MapEnv({{"A", "postgresql://u:p@db:5432/users"},
                              {"B", "mysql://db/users"},
                              {"C", "postgresql://"},
                              {"D", "http://host name"}})};
  EXPECT_EQ(reader.Url("A", "", {"postgresql", "postgres"}, ""), "postgresql://u:p@db:5432/users");
  reader.Url("B", "", {"postgresql", "postgres"}, "");
  reader.Url("C", "", {"postgresql"}, "");
  reader.Url("D", "", {"http"}, "");
  ASSERT_EQ(reader.Problems().size(), 3u);
  EXPECT_EQ(reader.Problems()[0].rfind("B:", 0), 0u);
  EXPECT_EQ(reader.Problems()[1].rfind("C:", 0), 0u);
  EXPECT_EQ(reader.Problems()[2].rfind("D:", 0), 0u);
}

TEST(ConfigReader, OptionalIsNulloptWhenUnset) {
  ConfigReader reader{MapEnv({{"SET", "x"}})};
  EXPECT_EQ(reader.Optional("SET", ""), "x");
  EXPECT_EQ(reader.Optional("UNSET", ""), std::nullopt);
}

TEST(ConfigReader, HelpListsEveryVariableWithItsDefault) {
  ConfigReader reader{MapEnv({})};
  ReadCommonConfig(reader, "svc", 3001);
  const auto help = reader.HelpText("svc", "A service.");
  EXPECT_NE(help.find("PORT"), std::string::npos);
  EXPECT_NE(help.find("[3001]"), std::string::npos);
  EXPECT_NE(help.find("LOG_LEVEL"), std::string::npos);
  EXPECT_NE(help.find("[info]"), std::string::npos);
}

}  // namespace
}  // namespace comanda::core
