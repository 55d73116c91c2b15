#include "comanda/cache/redis.hpp"

#include <gtest/gtest.h>

namespace comanda::cache {
namespace {

TEST(ParseRedisUrl, ReadsHostPortAndDb) {
  const auto url = ParseRedisUrl("redis://cache.local:6380/2");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "cache.local");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->db, 2);
  EXPECT_EQ(url->password, "");
}

TEST(ParseRedisUrl, DefaultsPortAndDb) {
  const auto url = ParseRedisUrl("redis://localhost");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, 6379);
  EXPECT_EQ(url->db, 0);
}

TEST(ParseRedisUrl, ReadsAPassword) {
  const auto url = ParseRedisUrl("redis://:s3cret@127.0.0.1:6379/0");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->password, "s3cret");
  EXPECT_EQ(url->host, "127.0.0.1");
}

TEST(ParseRedisUrl, RejectsOtherUrls) {
  for (const auto* bad : {"http://localhost:6379", "redis://", "redis://h:0", "redis://h:99999",
                          "redis://h:12x", "redis://h/16", "redis://h/x"}) {
    EXPECT_FALSE(ParseRedisUrl(bad)) << bad;
  }
}

TEST(Redis, FailsFastAndQuietlyWhenNothingListens) {
  Redis redis{*ParseRedisUrl("redis://127.0.0.1:1/0"), std::chrono::milliseconds{100},
              std::chrono::milliseconds{60000}};
  EXPECT_FALSE(redis.Ping());
  EXPECT_FALSE(redis.MGet({"a"}));  // in backoff now: answered without a connection attempt
  EXPECT_FALSE(redis.SetEx("a", "b", std::chrono::seconds{1}));
}

}  // namespace
}  // namespace comanda::cache
