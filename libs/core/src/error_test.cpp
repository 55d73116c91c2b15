#include "comanda/core/error.hpp"

#include <gtest/gtest.h>

namespace comanda::core {
namespace {

TEST(Error, CarriesCategoryDefaultCode) {
  const Error error{Errc::kValidation, "bad"};
  EXPECT_EQ(error.code(), "VALIDATION_FAILED");
  EXPECT_EQ(error.detail(), "bad");
  EXPECT_STREQ(error.what(), "bad");
}

TEST(Error, WithCodeOverridesTheCode) {
  const auto error = Error{Errc::kConflict, "taken"}.WithCode("EMAIL_TAKEN");
  EXPECT_EQ(error.code(), "EMAIL_TAKEN");
  EXPECT_EQ(error.errc(), Errc::kConflict);
}

TEST(Error, KeepsFieldErrors) {
  const Error error{Errc::kValidation, "bad", {{"email", "is required"}}};
  ASSERT_EQ(error.fields().size(), 1u);
  EXPECT_EQ(error.fields()[0], (FieldError{"email", "is required"}));
}

TEST(DefaultCode, UnavailableIsDependencyUnavailable) {
  EXPECT_EQ(DefaultCode(Errc::kUnavailable), "DEPENDENCY_UNAVAILABLE");
}

}  // namespace
}  // namespace comanda::core
