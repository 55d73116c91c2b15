#pragma once

#include <string>
#include <string_view>

namespace comanda::users {

/// argon2id password hashing (libsodium). Each call costs tens of milliseconds of CPU by design:
/// call it only on the worker pool.
class PasswordHasher {
 public:
  PasswordHasher();
  /// A `$argon2id$...` string with its own salt and parameters.
  std::string Hash(std::string_view password) const;
  bool Verify(std::string_view hash, std::string_view password) const;
  /// Spends the same work as a real Verify against a throwaway hash, so that an unknown email
  /// answers in about the time a wrong password does.
  void VerifyDummy(std::string_view password) const;

 private:
  std::string dummy_hash_;
};

}  // namespace comanda::users
