#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string_view>

namespace comanda::http {

/// A small circuit breaker for one dependency. Closed: calls go through. After
/// `failure_threshold` consecutive failures it opens: calls are refused at once for `open_for`.
/// Then it is half-open: one trial call goes through (others are still refused); its success
/// closes the breaker, its failure opens it again. Thread-safe.
class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { kClosed, kOpen, kHalfOpen };

  struct Options {
    std::size_t failure_threshold = 5;
    std::chrono::milliseconds open_for{5000};
  };

  explicit CircuitBreaker(Options options, std::function<Clock::time_point()> now = Clock::now);

  /// True when a call may go ahead. In the half-open state only the first caller gets true.
  bool Allow();
  void RecordSuccess();
  void RecordFailure();

  State state() const;

 private:
  Options options_;
  std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  State state_ = State::kClosed;
  std::size_t failures_ = 0;
  Clock::time_point opened_at_{};
  bool trial_in_flight_ = false;
};

std::string_view ToString(CircuitBreaker::State state) noexcept;

}  // namespace comanda::http
