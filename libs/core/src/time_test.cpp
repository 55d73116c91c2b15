#include "comanda/core/time.hpp"

#include <gtest/gtest.h>

namespace comanda::core {
namespace {

TEST(FormatRfc3339, FormatsUtcWithMilliseconds) {
  const std::chrono::system_clock::time_point t{std::chrono::milliseconds{1764295471123}};
  EXPECT_EQ(FormatRfc3339(t), "2025-11-28T02:04:31.123Z");
}

TEST(FormatRfc3339, FormatsTheEpoch) {
  EXPECT_EQ(FormatRfc3339(std::chrono::system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
}

TEST(FormatRfc3339, FloorsTimesBeforeTheEpoch) {
  const std::chrono::system_clock::time_point t{std::chrono::milliseconds{-1}};
  EXPECT_EQ(FormatRfc3339(t), "1969-12-31T23:59:59.999Z");
}

TEST(SleepFor, WaitsTheDelay) {
  const auto started = std::chrono::steady_clock::now();
  SleepFor(std::stop_token{}, std::chrono::milliseconds{20});
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds{20});
}

TEST(SleepFor, ReturnsAtOnceWhenStopIsRequested) {
  std::stop_source source;
  source.request_stop();
  const auto started = std::chrono::steady_clock::now();
  SleepFor(source.get_token(), std::chrono::seconds{30});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds{5});
}

}  // namespace
}  // namespace comanda::core
