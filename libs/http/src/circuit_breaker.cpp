#include "comanda/http/circuit_breaker.hpp"

#include <utility>

namespace comanda::http {

CircuitBreaker::CircuitBreaker(Options options, std::function<Clock::time_point()> now)
    : options_{options}, now_{std::move(now)} {
  if (options_.failure_threshold == 0) options_.failure_threshold = 1;
}

bool CircuitBreaker::Allow() {
  std::lock_guard lock{mutex_};
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (now_() - opened_at_ < options_.open_for) return false;
      state_ = State::kHalfOpen;
      trial_in_flight_ = true;
      return true;
    case State::kHalfOpen:
      if (trial_in_flight_) return false;
      trial_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock{mutex_};
  state_ = State::kClosed;
  failures_ = 0;
  trial_in_flight_ = false;
}

void CircuitBreaker::RecordFailure() {
  std::lock_guard lock{mutex_};
  trial_in_flight_ = false;
  if (state_ == State::kHalfOpen || ++failures_ >= options_.failure_threshold) {
    state_ = State::kOpen;
    opened_at_ = now_();
    failures_ = 0;
  }
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock{mutex_};
  return state_;
}

std::string_view ToString(CircuitBreaker::State state) noexcept {
  switch (state) {
    case CircuitBreaker::State::kClosed:
      return "closed";
    case CircuitBreaker::State::kOpen:
      return "open";
    case CircuitBreaker::State::kHalfOpen:
      return "half-open";
  }
  return "closed";
}

}  // namespace comanda::http
