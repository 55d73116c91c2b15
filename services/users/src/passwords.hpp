#pragma once

#include <atomic>
#include <cstddef>
#include <semaphore>
#include <string>
#include <string_view>

namespace comanda::users {

/// argon2id password hashing (libsodium). Each call costs tens of milliseconds of CPU by design:
/// call it only on the worker pool. At most `concurrency` hashes run at once (each holds argon2id's
/// 19 MiB while it runs; the others wait), so the memory of a burst of registrations is bounded.
class PasswordHasher {
 public:
  static constexpr std::ptrdiff_t kMaxConcurrency = 64;

  explicit PasswordHasher(std::ptrdiff_t concurrency = 1);
  /// A `$argon2id$...` string with its own salt and parameters.
  std::string Hash(std::string_view password) const;
  bool Verify(std::string_view hash, std::string_view password) const;
  /// Spends the same work as a real Verify against a throwaway hash, so that an unknown email
  /// answers in about the time a wrong password does.
  void VerifyDummy(std::string_view password) const;
  /// The most hashes that ran at the same time so far (tests; never above `concurrency`).
  std::ptrdiff_t PeakInFlight() const { return peak_.load(); }

 private:
  class Slot;

  std::string dummy_hash_;
  mutable std::counting_semaphore<kMaxConcurrency> slots_;
  mutable std::atomic<std::ptrdiff_t> in_flight_{0};
  mutable std::atomic<std::ptrdiff_t> peak_{0};
};

}  // namespace comanda::users
