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

}  // namespace
}  // namespace comanda::core
