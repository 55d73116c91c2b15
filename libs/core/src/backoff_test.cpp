#include "comanda/core/backoff.hpp"

#include <gtest/gtest.h>

namespace comanda::core {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, StartsAtTheFirstDelayAndDoublesUpToTheCap) {
  Backoff backoff{{milliseconds{100}, milliseconds{500}, 0.0}};
  EXPECT_EQ(backoff.Next(), milliseconds{100});
  EXPECT_EQ(backoff.Next(), milliseconds{200});
  EXPECT_EQ(backoff.Next(), milliseconds{400});
  EXPECT_EQ(backoff.Next(), milliseconds{500});
  EXPECT_EQ(backoff.Next(), milliseconds{500});
}

TEST(Backoff, ResetStartsOverAtTheFirstDelay) {
  Backoff backoff{{milliseconds{100}, milliseconds{5000}, 0.0}};
  backoff.Next();
  backoff.Next();
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), milliseconds{100});
}

TEST(Backoff, JitterOnlyShortensADelayAndByNoMoreThanItsFraction) {
  Backoff backoff{{milliseconds{1000}, milliseconds{1000}, 0.25}, 42};
  bool varied = false;
  milliseconds previous{0};
  for (int i = 0; i < 50; ++i) {
    const auto delay = backoff.Next();
    EXPECT_LE(delay, milliseconds{1000});
    EXPECT_GE(delay, milliseconds{750});
    if (i > 0 && delay != previous) varied = true;
    previous = delay;
  }
  EXPECT_TRUE(varied);
}

TEST(Backoff, NominalIsFirstTimesTwoToTheRetryCapped) {
  const Backoff::Options options{milliseconds{1000}, milliseconds{300'000}, 0.5};
  EXPECT_EQ(Backoff::Nominal(options, 0), milliseconds{1000});
  EXPECT_EQ(Backoff::Nominal(options, 3), milliseconds{8000});
  EXPECT_EQ(Backoff::Nominal(options, 40), milliseconds{300'000});  // no overflow
}

TEST(Backoff, AFirstDelayAboveTheCapIsTheCap) {
  Backoff backoff{{milliseconds{900}, milliseconds{500}, 0.0}};
  EXPECT_EQ(backoff.Next(), milliseconds{500});
}

}  // namespace
}  // namespace comanda::core
