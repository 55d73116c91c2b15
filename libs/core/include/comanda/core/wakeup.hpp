#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace comanda::core {

/// "There is work": Notify() from any thread wakes the one thread waiting in WaitFor(). A
/// notification that comes while nobody waits is kept for the next WaitFor(), and any number of
/// them collapse into one. Costs a mutex and, only when the other thread sleeps, a futex wake.
class Wakeup {
 public:
  void Notify() {
    {
      const std::lock_guard lock{mutex_};
      pending_ = true;
    }
    ready_.notify_one();
  }

  /// True when notified (since the last return), false after `timeout` without a notification.
  bool WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock{mutex_};
    const bool notified = ready_.wait_for(lock, timeout, [this] { return pending_; });
    pending_ = false;
    return notified;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  bool pending_ = false;
};

}  // namespace comanda::core
