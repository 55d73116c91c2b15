#include "pruner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace comanda::orders {
namespace {

PruneOptions Options(int outbox_s, int keys_s) {
  PruneOptions options;
  options.database_url = "postgresql://nobody@127.0.0.1:9/none?connect_timeout=1";
  options.outbox_retention = std::chrono::seconds{outbox_s};
  options.key_retention = std::chrono::seconds{keys_s};
  return options;
}

TEST(Pruner, IsDisabledOnlyWhenBothRetentionsAreZero) {
  metrics::Registry registry;
  const auto ready = [] { return true; };
  EXPECT_FALSE((Pruner{Options(0, 0), ready, registry}.enabled()));
  EXPECT_TRUE((Pruner{Options(1, 0), ready, registry}.enabled()));
  EXPECT_TRUE((Pruner{Options(0, 1), ready, registry}.enabled()));
}

metrics::Counter& FailedRuns(metrics::Registry& registry) {
  return registry.GetCounter("orders_prune_runs_total", "Pruner runs, by result",
                             {{"result", "failed"}});
}

TEST(Pruner, DisabledRunReturnsAtOnceWithoutConnecting) {
  metrics::Registry registry;
  bool asked = false;
  Pruner pruner{Options(0, 0), [&asked] { return asked = true; }, registry};
  const auto started = std::chrono::steady_clock::now();
  pruner.Run({});  // a token nobody can stop: only a disabled pruner returns
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds{1});
  EXPECT_FALSE(asked);
  EXPECT_EQ(FailedRuns(registry).Value(), 0u);
}

TEST(Pruner, DatabaseErrorsAreCountedAndRetriedEveryInterval) {
  metrics::Registry registry;
  auto options = Options(1, 1);
  options.interval = std::chrono::seconds{1};
  Pruner pruner{options, [] { return true; }, registry};
  EXPECT_THROW(pruner.RunOnce({}), std::exception);  // nothing listens on port 9
  {
    std::jthread thread{[&pruner](std::stop_token stop) { pruner.Run(stop); }};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (FailedRuns(registry).Value() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
  }  // stops and joins the thread
  EXPECT_GE(FailedRuns(registry).Value(), 2u);
}

}  // namespace
}  // namespace comanda::orders
