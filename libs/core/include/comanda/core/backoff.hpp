#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace comanda::core {

/// See Backoff.
struct BackoffOptions {
  std::chrono::milliseconds first{100};
  std::chrono::milliseconds cap{5000};
  double jitter = 0.2;
};

/// Delays that grow while something keeps failing: `first`, doubling up to `cap`. With `jitter`
/// (a fraction, 0 to 1) each delay is shortened at random by up to that part of it, so that
/// replicas that failed together do not all retry in the same millisecond.
class Backoff {
 public:
  using Options = BackoffOptions;

  Backoff() : Backoff(Options{}) {}
  explicit Backoff(Options options, std::uint64_t seed = std::random_device{}());

  /// The delay before the next attempt; the one after it is twice as long (at most `cap`).
  std::chrono::milliseconds Next();
  /// After a success: the next delay is `first` again.
  void Reset() noexcept { step_ = 0; }

  /// The delay before retry number `retry` (0, 1, ...) without jitter: first * 2^retry, at most
  /// `cap`.
  static std::chrono::milliseconds Nominal(const Options& options, int retry) noexcept;

 private:
  Options options_;
  int step_ = 0;
  std::minstd_rand random_;
};

}  // namespace comanda::core
