#include "passwords.hpp"

#include <gtest/gtest.h>

namespace comanda::users {
namespace {

TEST(PasswordHasher, HashesWithArgon2idAndVerifies) {
  const PasswordHasher hasher;
  const auto hash = hasher.Hash("correct horse");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(hasher.Verify(hash, "correct horse"));
  EXPECT_FALSE(hasher.Verify(hash, "correct horsE"));
}

TEST(PasswordHasher, SaltsEveryHash) {
  const PasswordHasher hasher;
  EXPECT_NE(hasher.Hash("same"), hasher.Hash("same"));
}

TEST(PasswordHasher, HandlesEmbeddedNulBytes) {
  const PasswordHasher hasher;
  const std::string password{"abc\0def", 7};
  const auto hash = hasher.Hash(password);
  EXPECT_TRUE(hasher.Verify(hash, password));
  EXPECT_FALSE(hasher.Verify(hash, "abc"));
}

TEST(PasswordHasher, RejectsAGarbageHash) {
  const PasswordHasher hasher;
  EXPECT_FALSE(hasher.Verify("not-a-hash", "x"));
}

}  // namespace
}  // namespace comanda::users
