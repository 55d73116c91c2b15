#include "passwords.hpp"

#include <sodium.h>

#include <stdexcept>

namespace comanda::users {
namespace {

// OWASP's argon2id baseline (m = 19 MiB, t = 2, p = 1): about 20 ms here, and a bounded amount of
// memory per concurrent login. See docs/decisions.md.
constexpr unsigned long long kOpsLimit = 2;
constexpr std::size_t kMemLimit = 19ULL * 1024 * 1024;

}  // namespace

PasswordHasher::PasswordHasher() {
  if (sodium_init() < 0) throw std::runtime_error{"libsodium failed to initialise"};
  dummy_hash_ = Hash("comanda-dummy-password-for-timing");
}

std::string PasswordHasher::Hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error{"password hashing ran out of memory"};
  }
  return out;
}

bool PasswordHasher::Verify(std::string_view hash, std::string_view password) const {
  const std::string terminated{hash};  // libsodium wants a C string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::VerifyDummy(std::string_view password) const {
  (void)Verify(dummy_hash_, password);
}

}  // namespace comanda::users
