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

TEST(ReadCommonConfig, ListensOnLoopbackUnlessToldOtherwise) {
  ConfigReader defaults{MapEnv({})};
  EXPECT_EQ(ReadCommonConfig(defaults, "svc", 3001).bind_address, "127.0.0.1");
  ConfigReader all{MapEnv({{"BIND_ADDRESS", "0.0.0.0"}})};
  EXPECT_EQ(ReadCommonConfig(all, "svc", 3001).bind_address, "0.0.0.0");
  ConfigReader v6{MapEnv({{"BIND_ADDRESS", "::1"}})};
  EXPECT_EQ(ReadCommonConfig(v6, "svc", 3001).bind_address, "::1");
  EXPECT_TRUE(all.Problems().empty());
  EXPECT_TRUE(v6.Problems().empty());
}

TEST(ReadCommonConfig, RefusesABindAddressThatIsNotAnIpLiteral) {
  ConfigReader reader{MapEnv({{"BIND_ADDRESS", "localhost"}})};
  ReadCommonConfig(reader, "svc", 3001);
  ASSERT_EQ(reader.Problems().size(), 1u);
  EXPECT_EQ(reader.Problems()[0].rfind("BIND_ADDRESS:", 0), 0u);
}

TEST(ReadCommonConfig, ReadsHttpLimitsAndTimeouts) {
  ConfigReader reader{MapEnv({{"HTTP_MAX_BODY_BYTES", "2048"},
                              {"HTTP_READ_TIMEOUT_MS", "1500"},
                              {"HTTP_MAX_HEADERS", "20"},
                              {"DRAIN_TIMEOUT_MS", "0"}})};
  const auto http = ReadCommonConfig(reader, "svc", 3001).http;
  EXPECT_TRUE(reader.Problems().empty());
  EXPECT_EQ(http.max_body_bytes, 2048u);
  EXPECT_EQ(http.read_timeout, std::chrono::milliseconds{1500});
  EXPECT_EQ(http.max_headers, 20u);
  EXPECT_EQ(http.drain_timeout, std::chrono::milliseconds{0});
  EXPECT_EQ(http.max_url_bytes, 8u * 1024);
  EXPECT_EQ(http.queue_timeout, std::chrono::milliseconds{10'000});
}

TEST(ReadCommonConfig, RefusesAQueueTimeoutNotBelowTheHandleTimeout) {
  ConfigReader fits{MapEnv({{"HTTP_QUEUE_TIMEOUT_MS", "250"}, {"HTTP_HANDLE_TIMEOUT_MS", "1000"}})};
  EXPECT_EQ(ReadCommonConfig(fits, "svc", 3001).http.queue_timeout, std::chrono::milliseconds{250});
  EXPECT_TRUE(fits.Problems().empty());
  ConfigReader equal{
      MapEnv({{"HTTP_QUEUE_TIMEOUT_MS", "1000"}, {"HTTP_HANDLE_TIMEOUT_MS", "1000"}})};
  ReadCommonConfig(equal, "svc", 3001);
  ASSERT_EQ(equal.Problems().size(), 1u);
  EXPECT_EQ(equal.Problems()[0].rfind("HTTP_QUEUE_TIMEOUT_MS:", 0), 0u);
}

TEST(ReadCommonConfig, RefusesLimitsOutOfRange) {
  ConfigReader reader{MapEnv({{"HTTP_MAX_BODY_BYTES", "10"}, {"HTTP_WRITE_TIMEOUT_MS", "0"}})};
  ReadCommonConfig(reader, "svc", 3001);
  ASSERT_EQ(reader.Problems().size(), 2u);
  EXPECT_EQ(reader.Problems()[0].rfind("HTTP_MAX_BODY_BYTES:", 0), 0u);
  EXPECT_EQ(reader.Problems()[1].rfind("HTTP_WRITE_TIMEOUT_MS:", 0), 0u);
}

}  // namespace
}  // namespace comanda::core
