#include "comanda/core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace comanda::core {
namespace {

TEST(NewUuid, IsCanonicalVersion4) {
  const auto id = NewUuid();
  EXPECT_TRUE(IsUuid(id));
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(std::string{"89ab"}.find(id[19]), std::string::npos);
}

TEST(NewUuid, IsUniqueAcrossManyCalls) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(NewUuid());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(IsUuid, RejectsMalformedText) {
  EXPECT_TRUE(IsUuid("123e4567-E89B-12d3-a456-426614174000"));
  EXPECT_FALSE(IsUuid("123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(IsUuid("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_FALSE(IsUuid("42"));
  EXPECT_FALSE(IsUuid(""));
}

TEST(RequestId, EchoesValidClientIds) {
  EXPECT_EQ(RequestIdOrNew("abc-DEF_1.2"), "abc-DEF_1.2");
  EXPECT_EQ(RequestIdOrNew(std::string(128, 'a')), std::string(128, 'a'));
}

TEST(RequestId, ReplacesInvalidClientIds) {
  EXPECT_TRUE(IsUuid(RequestIdOrNew("")));
  EXPECT_TRUE(IsUuid(RequestIdOrNew(std::string(129, 'a'))));
  EXPECT_TRUE(IsUuid(RequestIdOrNew("has space")));
  EXPECT_TRUE(IsUuid(RequestIdOrNew("new\nline")));
}

}  // namespace
}  // namespace comanda::core
