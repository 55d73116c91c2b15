#include "pruner.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace comanda::orders {
namespace {

PruneOptions Options(int outbox_s, int keys_s) {
  PruneOptions options;
  options.outbox_retention = std::chrono::seconds{outbox_s};
  options.key_retention = std::chrono::seconds{keys_s};
  options.batch_size = 10;
  options.max_batches = 3;
  return options;
}

// Hands out the given batch sizes per table, then 0; or throws when told to.
class FakeRows final : public ExpiredRows {
 public:
  std::vector<std::uint64_t> outbox, keys;
  std::vector<std::string> calls;
  bool fail = false;
  int resets = 0;
  std::uint64_t DeleteBatch(Table table, std::chrono::seconds retention, int limit) override {
    if (fail) throw std::runtime_error{"connection refused"};
    auto& left = table == Table::kOutbox ? outbox : keys;
    calls.push_back((table == Table::kOutbox ? "outbox " : "keys ") +
                    std::to_string(retention.count()) + " " + std::to_string(limit));
    if (left.empty()) return 0;
    const auto rows = left.front();
    left.erase(left.begin());
    return rows;
  }
  void Reset() noexcept override { ++resets; }
};

std::uint64_t Counter(core::metrics::Registry& registry, const char* name, const char* help,
                      const char* label, const char* value) {
  return registry.GetCounter(name, help, {{label, value}}).Value();
}

TEST(Pruner, IsDisabledOnlyWhenBothRetentionsAreZero) {
  core::metrics::Registry registry;
  FakeRows rows;
  EXPECT_FALSE((Pruner{rows, Options(0, 0), registry}.DisabledBecause().empty()));
  EXPECT_TRUE((Pruner{rows, Options(1, 0), registry}.DisabledBecause().empty()));
  EXPECT_TRUE((Pruner{rows, Options(0, 1), registry}.DisabledBecause().empty()));
}

TEST(PrunerRunOnce, DeletesBatchesUntilOneIsNotFull) {
  core::metrics::Registry registry;
  FakeRows rows;
  rows.outbox = {10, 10, 4};
  rows.keys = {3};
  Pruner pruner{rows, Options(60, 120), registry};
  const auto counts = pruner.RunOnce({});
  EXPECT_EQ(counts.outbox, 24u);
  EXPECT_EQ(counts.keys, 3u);
  EXPECT_EQ(rows.calls, (std::vector<std::string>{"outbox 60 10", "outbox 60 10", "outbox 60 10",
                                                  "keys 120 10"}));
  EXPECT_EQ(Counter(registry, "orders_pruned_rows_total",
                    "Rows deleted by the pruner after their retention", "table", "outbox"),
            24u);
}

TEST(PrunerRunOnce, StopsAtMaxBatchesPerTable) {
  core::metrics::Registry registry;
  FakeRows rows;
  rows.outbox = {10, 10, 10, 10};
  Pruner pruner{rows, Options(60, 0), registry};
  EXPECT_EQ(pruner.RunOnce({}).outbox, 30u);  // the fourth batch waits for the next run
  EXPECT_EQ(rows.calls.size(), 3u);           // a retention of 0 never touches keys
}

TEST(Pruner, AFailedRunIsCountedDropsTheConnectionAndWaitsAnInterval) {
  core::metrics::Registry registry;
  FakeRows rows;
  rows.fail = true;
  auto options = Options(60, 60);
  options.interval = std::chrono::seconds{7};
  Pruner pruner{rows, options, registry};
  EXPECT_THROW(pruner.Step({}), std::runtime_error);
  pruner.Recover(std::runtime_error{"connection refused"});
  EXPECT_EQ(rows.resets, 1);
  EXPECT_EQ(
      Counter(registry, "orders_prune_runs_total", "Pruner runs, by result", "result", "failed"),
      1u);
  EXPECT_EQ(pruner.RetryDelays().first, std::chrono::seconds{7});
  EXPECT_EQ(pruner.RetryDelays().cap, std::chrono::seconds{7});
}

}  // namespace
}  // namespace comanda::orders
