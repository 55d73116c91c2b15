#include "comanda/http/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace comanda::http {
namespace {

using namespace std::chrono_literals;
using State = CircuitBreaker::State;

struct FakeClock {
  CircuitBreaker::Clock::time_point now{};
  std::function<CircuitBreaker::Clock::time_point()> Fn() {
    return [this] { return now; };
  }
};

TEST(CircuitBreaker, StaysClosedBelowTheThreshold) {
  FakeClock clock;
  CircuitBreaker breaker{{3, 1000ms}, clock.Fn()};
  breaker.RecordFailure();
  breaker.RecordFailure();
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_TRUE(breaker.Allow());
}

TEST(CircuitBreaker, ASuccessResetsTheConsecutiveFailureCount) {
  FakeClock clock;
  CircuitBreaker breaker{{3, 1000ms}, clock.Fn()};
  breaker.RecordFailure();
  breaker.RecordFailure();
  breaker.RecordSuccess();
  breaker.RecordFailure();
  breaker.RecordFailure();
  EXPECT_EQ(breaker.state(), State::kClosed);
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresAndRefusesCalls) {
  FakeClock clock;
  CircuitBreaker breaker{{3, 1000ms}, clock.Fn()};
  for (int i = 0; i < 3; ++i) breaker.RecordFailure();
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_FALSE(breaker.Allow());
  clock.now += 999ms;
  EXPECT_FALSE(breaker.Allow());
}

TEST(CircuitBreaker, LetsOneTrialThroughAfterTheCoolDown) {
  FakeClock clock;
  CircuitBreaker breaker{{1, 1000ms}, clock.Fn()};
  breaker.RecordFailure();
  clock.now += 1000ms;
  EXPECT_TRUE(breaker.Allow());
  EXPECT_EQ(breaker.state(), State::kHalfOpen);
  EXPECT_FALSE(breaker.Allow()) << "only one trial at a time";
}

TEST(CircuitBreaker, ClosesWhenTheTrialSucceeds) {
  FakeClock clock;
  CircuitBreaker breaker{{1, 1000ms}, clock.Fn()};
  breaker.RecordFailure();
  clock.now += 1500ms;
  ASSERT_TRUE(breaker.Allow());
  breaker.RecordSuccess();
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_TRUE(breaker.Allow());
  EXPECT_TRUE(breaker.Allow());
}

TEST(CircuitBreaker, ReopensForAFullCoolDownWhenTheTrialFails) {
  FakeClock clock;
  CircuitBreaker breaker{{2, 1000ms}, clock.Fn()};
  breaker.RecordFailure();
  breaker.RecordFailure();
  clock.now += 1000ms;
  ASSERT_TRUE(breaker.Allow());
  breaker.RecordFailure();  // a single failed trial reopens, whatever the threshold
  EXPECT_EQ(breaker.state(), State::kOpen);
  clock.now += 999ms;
  EXPECT_FALSE(breaker.Allow());
  clock.now += 1ms;
  EXPECT_TRUE(breaker.Allow());
}

TEST(CircuitBreaker, NamesItsStates) {
  EXPECT_EQ(ToString(State::kClosed), "closed");
  EXPECT_EQ(ToString(State::kOpen), "open");
  EXPECT_EQ(ToString(State::kHalfOpen), "half-open");
}

}  // namespace
}  // namespace comanda::http
