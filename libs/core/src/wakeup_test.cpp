#include "comanda/core/wakeup.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace comanda::core {
namespace {

using std::chrono::milliseconds;

TEST(Wakeup, WaitsForTheTimeoutWithoutANotification) {
  Wakeup wakeup;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(wakeup.WaitFor(milliseconds{30}));
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds{30});
}

TEST(Wakeup, ANotificationMadeBeforeTheWaitIsKeptAndCountsOnce) {
  Wakeup wakeup;
  wakeup.Notify();
  wakeup.Notify();
  EXPECT_TRUE(wakeup.WaitFor(milliseconds{0}));
  EXPECT_FALSE(wakeup.WaitFor(milliseconds{0}));
}

TEST(Wakeup, ANotificationFromAnotherThreadEndsTheWait) {
  Wakeup wakeup;
  std::jthread other{[&wakeup] {
    std::this_thread::sleep_for(milliseconds{20});
    wakeup.Notify();
  }};
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(wakeup.WaitFor(std::chrono::seconds{30}));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds{5});
}

}  // namespace
}  // namespace comanda::core
