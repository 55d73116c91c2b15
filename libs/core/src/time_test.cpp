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

TEST(ParseRfc3339, AcceptsZuluFractionsAndOffsets) {
  const auto zulu = ParseRfc3339("2026-03-01T12:30:00Z");
  ASSERT_TRUE(zulu);
  EXPECT_EQ(ParseRfc3339("2026-03-01T13:30:00+01:00"), zulu);
  EXPECT_EQ(ParseRfc3339("2026-03-01t12:30:00z"), zulu);
  EXPECT_EQ(ParseRfc3339("2026-03-01T10:00:00-02:30"), zulu);
  const auto fraction = ParseRfc3339("2026-03-01T12:30:00.123456789Z");
  ASSERT_TRUE(fraction);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::microseconds>(*fraction - *zulu).count(),
            123456);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(zulu->time_since_epoch()).count(),
            1772368200);
}

TEST(ParseRfc3339, RefusesOtherShapesAndImpossibleDates) {
  for (const auto* bad :
       {"", "2026-03-01", "2026-03-01T12:30:00", "2026-02-30T12:00:00Z", "2026-13-01T00:00:00Z",
        "2026-03-01T24:00:00Z", "2026-03-01 12:30:00Z", "2026-03-01T12:30:00.Z",
        "2026-03-01T12:30:00+0100", "2026-03-01T12:30:00Zjunk", "yesterday at noon!!"}) {
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  }
}

}  // namespace
}  // namespace comanda::core
