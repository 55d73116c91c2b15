#include "retry.hpp"

#include <gtest/gtest.h>

namespace comanda::notifications {
namespace {

using std::chrono::milliseconds;

bus::DeliveryProperties WithAttempt(std::string value) {
  bus::DeliveryProperties properties;
  properties.headers = {{"x-attempt", std::move(value)}};
  return properties;
}

TEST(AttemptOf, IsOneForAFreshMessage) { EXPECT_EQ(AttemptOf({}), 1); }

TEST(AttemptOf, ReadsTheHeaderAndDistrustsNonsense) {
  EXPECT_EQ(AttemptOf(WithAttempt("3")), 3);
  EXPECT_EQ(AttemptOf(WithAttempt("0")), 1);
  EXPECT_EQ(AttemptOf(WithAttempt("-2")), 1);
  EXPECT_EQ(AttemptOf(WithAttempt("two")), 1);
  EXPECT_EQ(AttemptOf(WithAttempt("2x")), 1);
}

TEST(RetryDelay, DoublesFromTheBaseDelay) {
  const RetryPolicy policy{5, milliseconds{1000}, milliseconds{300'000}};
  EXPECT_EQ(RetryDelay(policy, 2), milliseconds{1000});
  EXPECT_EQ(RetryDelay(policy, 3), milliseconds{2000});
  EXPECT_EQ(RetryDelay(policy, 4), milliseconds{4000});
  EXPECT_EQ(RetryDelay(policy, 5), milliseconds{8000});
}

TEST(RetryDelay, StopsGrowingAtTheMaximum) {
  const RetryPolicy policy{100, milliseconds{1000}, milliseconds{5000}};
  EXPECT_EQ(RetryDelay(policy, 4), milliseconds{4000});
  EXPECT_EQ(RetryDelay(policy, 5), milliseconds{5000});
  EXPECT_EQ(RetryDelay(policy, 99), milliseconds{5000});
}

TEST(NextRetry, GivesUpAfterTheMaximumAttempts) {
  const RetryPolicy policy{3, milliseconds{200}, milliseconds{300'000}};
  EXPECT_EQ(NextRetry(policy, 1), milliseconds{200});
  EXPECT_EQ(NextRetry(policy, 2), milliseconds{400});
  EXPECT_FALSE(NextRetry(policy, 3));
  EXPECT_FALSE(NextRetry(policy, 7));
}

}  // namespace
}  // namespace comanda::notifications
