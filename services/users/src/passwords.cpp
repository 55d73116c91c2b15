#include "passwords.hpp"

#include <sodium.h>

#include <stdexcept>

namespace comanda::users {
namespace {

// OWASP's argon2id baseline (m = 19 MiB, t = 2, p = 1): about 20 ms here, and a bounded amount of
// memory per concurrent login. See docs/decisions.md.
constexpr unsigned long long kOpsLimit = 2;
constexpr std::size_t kMemLimit = 19ULL * 1024 * 1024;

// The semaphore's precondition: checked before it is built.
std::ptrdiff_t CheckedConcurrency(std::ptrdiff_t concurrency) {
  if (concurrency < 1 || concurrency > PasswordHasher::kMaxConcurrency) {
    throw std::invalid_argument{"password hash concurrency must be 1 to 64"};
  }
  return concurrency;
}

}  // namespace

// Holds one of the hasher's slots while an argon2id computation runs.
class PasswordHasher::Slot {
 public:
  explicit Slot(const PasswordHasher& hasher) : hasher_{hasher} {
    hasher_.slots_.acquire();
    const auto now = hasher_.in_flight_.fetch_add(1) + 1;
    auto peak = hasher_.peak_.load();
    while (now > peak && !hasher_.peak_.compare_exchange_weak(peak, now)) {
    }
  }
  ~Slot() {
    hasher_.in_flight_.fetch_sub(1);
    hasher_.slots_.release();
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  const PasswordHasher& hasher_;
};

PasswordHasher::PasswordHasher(std::ptrdiff_t concurrency)
    : slots_{CheckedConcurrency(concurrency)} {
  if (sodium_init() < 0) throw std::runtime_error{"libsodium failed to initialise"};
  dummy_hash_ = Hash("comanda-dummy-password-for-timing");
}

std::string PasswordHasher::Hash(std::string_view password) const {
  const Slot slot{*this};
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error{"password hashing ran out of memory"};
  }
  return out;
}

bool PasswordHasher::Verify(std::string_view hash, std::string_view password) const {
  const std::string terminated{hash};  // libsodium wants a C string
  const Slot slot{*this};
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::VerifyDummy(std::string_view password) const {
  (void)Verify(dummy_hash_, password);
}

}  // namespace comanda::users
