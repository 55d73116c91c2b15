#include "catalog.hpp"

#include <gtest/gtest.h>

namespace comanda::products {
namespace {

TEST(CacheEntry, RoundTripsBodiesWithNewlines) {
  const CacheEntry entry{"42", "\"abc\"", "{\"a\":\"line\\nbreak\"}\nraw newline"};
  const auto decoded = DecodeEntry(EncodeEntry(entry));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->generation, "42");
  EXPECT_EQ(decoded->etag, "\"abc\"");
  EXPECT_EQ(decoded->body, entry.body);
}

TEST(CacheEntry, RejectsTruncatedValues) {
  EXPECT_FALSE(DecodeEntry(""));
  EXPECT_FALSE(DecodeEntry("42"));
  EXPECT_FALSE(DecodeEntry("42\n\"etag\""));
}

TEST(CacheStatus, PrintsTheHeaderValues) {
  EXPECT_EQ(ToString(CacheStatus::kHit), "HIT");
  EXPECT_EQ(ToString(CacheStatus::kMiss), "MISS");
  EXPECT_EQ(ToString(CacheStatus::kBypass), "BYPASS");
}

}  // namespace
}  // namespace comanda::products
