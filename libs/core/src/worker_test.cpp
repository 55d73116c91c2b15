#include "comanda/core/worker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace comanda::core {
namespace {

using std::chrono::milliseconds;

// Counts steps; the first `failures` of them throw. Waits are bounded, so a broken worker fails
// the test instead of hanging it.
class CountingTask final : public Task {
 public:
  explicit CountingTask(int failures) : failures_{failures} {}
  void Step(std::stop_token) override {
    std::lock_guard lock{mutex_};
    ++steps_;
    changed_.notify_all();
    if (steps_ <= failures_) throw std::runtime_error{"step failed"};
  }
  std::string_view Recover(const std::exception&) noexcept override {
    std::lock_guard lock{mutex_};
    ++recovered_;
    return "test task failed, retrying";
  }
  void Stopped() noexcept override { stopped_ = true; }
  std::string_view DisabledBecause() const override { return disabled_ ? "told so" : ""; }

  bool WaitForSteps(int n) {
    std::unique_lock lock{mutex_};
    return changed_.wait_for(lock, std::chrono::seconds{10}, [&] { return steps_ >= n; });
  }
  int steps() {
    std::lock_guard lock{mutex_};
    return steps_;
  }
  int recovered() {
    std::lock_guard lock{mutex_};
    return recovered_;
  }

  std::atomic<bool> stopped_{false};
  bool disabled_ = false;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int failures_;
  int steps_ = 0;
  int recovered_ = 0;
};

WorkerOptions Fast() { return {{}, {milliseconds{1}, milliseconds{2}, 0.0}, milliseconds{1}}; }

TEST(Worker, RunsStepsUntilTheServiceStops) {
  CountingTask task{0};
  std::stop_source service;
  Worker worker{"test task", task, service.get_token(), Fast()};
  ASSERT_TRUE(task.WaitForSteps(3));
  service.request_stop();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (!task.stopped_ && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_TRUE(task.stopped_);  // the thread ended by itself, before the destructor asked it to
}

TEST(Worker, StopsWhenDestroyedAndCallsStoppedOnce) {
  CountingTask task{0};
  {
    Worker worker{"test task", task, {}, Fast()};
    ASSERT_TRUE(task.WaitForSteps(1));
  }
  EXPECT_TRUE(task.stopped_);
  const int steps = task.steps();
  EXPECT_EQ(task.steps(), steps);  // nothing runs after the destructor
}

TEST(Worker, AFailedStepIsRecoveredAndRetried) {
  CountingTask task{2};
  {
    Worker worker{"test task", task, {}, Fast()};
    ASSERT_TRUE(task.WaitForSteps(3));
  }
  EXPECT_EQ(task.recovered(), 2);
}

TEST(Worker, NoStepBeforeReady) {
  CountingTask task{0};
  std::atomic<bool> ready{false};
  std::atomic<int> asked{0};
  auto options = Fast();
  options.ready = [&] {
    ++asked;
    return ready.load();
  };
  Worker worker{"test task", task, {}, options};
  while (asked.load() < 3) std::this_thread::yield();
  EXPECT_EQ(task.steps(), 0);
  ready = true;
  EXPECT_TRUE(task.WaitForSteps(1));
}

TEST(Worker, ADisabledTaskGetsNoThread) {
  CountingTask task{0};
  task.disabled_ = true;
  { Worker worker{"test task", task, {}, Fast()}; }
  EXPECT_EQ(task.steps(), 0);
  EXPECT_FALSE(task.stopped_);
}

}  // namespace
}  // namespace comanda::core
