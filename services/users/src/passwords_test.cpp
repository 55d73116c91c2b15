#include "passwords.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

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

TEST(PasswordHasher, RunsAtMostItsConcurrencyAtOnce) {
  const PasswordHasher hasher{2};
  const auto hash = hasher.Hash("pw");
  std::vector<std::jthread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&hasher, &hash] {
      for (int j = 0; j < 2; ++j) EXPECT_TRUE(hasher.Verify(hash, "pw"));
    });
  }
  threads.clear();  // joins
  EXPECT_GE(hasher.PeakInFlight(), 1);
  EXPECT_LE(hasher.PeakInFlight(), 2);
}

TEST(PasswordHasher, RefusesAConcurrencyOutOfRange) {
  EXPECT_THROW(PasswordHasher{0}, std::invalid_argument);
  EXPECT_THROW(PasswordHasher{PasswordHasher::kMaxConcurrency + 1}, std::invalid_argument);
}

}  // namespace
}  // namespace comanda::users
