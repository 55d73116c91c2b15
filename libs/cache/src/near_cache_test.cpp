#include "comanda/cache/near_cache.hpp"

#include <gtest/gtest.h>

namespace comanda::cache {
namespace {

using Clock = NearCache<std::string>::Clock;
const auto kLater = Clock::now() + std::chrono::hours{1};

TEST(NearCache, KeepsAValueReadWhileNothingChanged) {
  NearCache<std::string> cache;
  const auto epoch = cache.Epoch();
  EXPECT_TRUE(cache.Put("k", "v", epoch, kLater));
  ASSERT_NE(cache.Get("k"), nullptr);
  EXPECT_EQ(*cache.Get("k"), "v");
  EXPECT_EQ(cache.Get("other"), nullptr);
}

TEST(NearCache, RefusesAValueReadBeforeAnInvalidation) {
  NearCache<std::string> cache;
  const auto epoch = cache.Epoch();  // the read is sent
  cache.Invalidate("k");             // a write's invalidation overtakes its answer
  EXPECT_FALSE(cache.Put("k", "old", epoch, kLater));
  EXPECT_EQ(cache.Get("k"), nullptr);
  EXPECT_TRUE(cache.Put("k", "new", cache.Epoch(), kLater));
}

TEST(NearCache, AnInvalidationOfAnotherKeyAlsoRefusesOlderReads) {
  NearCache<std::string> cache;
  const auto epoch = cache.Epoch();
  cache.Invalidate("other");
  EXPECT_FALSE(cache.Put("k", "v", epoch, kLater));
}

TEST(NearCache, InvalidationDropsOneKeyOrEverything) {
  NearCache<std::string> cache;
  cache.Put("a", "1", cache.Epoch(), kLater);
  cache.Put("b", "2", cache.Epoch(), kLater);
  cache.Invalidate("a");
  EXPECT_EQ(cache.Get("a"), nullptr);
  EXPECT_NE(cache.Get("b"), nullptr);
  cache.Invalidate(std::nullopt);
  EXPECT_EQ(cache.Get("b"), nullptr);
  EXPECT_EQ(cache.size(), 0U);
}

TEST(NearCache, AnExpiredValueIsGone) {
  NearCache<std::string> cache;
  const auto now = Clock::now();
  cache.Put("k", "v", cache.Epoch(), now + std::chrono::seconds{1});
  EXPECT_NE(cache.Get("k", now), nullptr);
  EXPECT_EQ(cache.Get("k", now + std::chrono::seconds{1}), nullptr);
  EXPECT_EQ(cache.size(), 0U);
}

TEST(NearCache, KeepsNoMoreThanItsCapacity) {
  NearCache<std::string> cache{2};
  EXPECT_TRUE(cache.Put("a", "1", cache.Epoch(), kLater));
  EXPECT_TRUE(cache.Put("b", "2", cache.Epoch(), kLater));
  EXPECT_FALSE(cache.Put("c", "3", cache.Epoch(), kLater));
  EXPECT_TRUE(cache.Put("a", "1'", cache.Epoch(), kLater));  // a replacement still fits
  EXPECT_EQ(*cache.Get("a"), "1'");
}

}  // namespace
}  // namespace comanda::cache
