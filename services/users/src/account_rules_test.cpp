#include "account_rules.hpp"

#include <gtest/gtest.h>

#include "comanda/core/error.hpp"
#include "login_throttle.hpp"
#include "users.hpp"

namespace comanda::users {
namespace {

TEST(ForbiddenNameCodePoint, AcceptsLettersOfAnyScriptAndSpaces) {
  EXPECT_FALSE(ForbiddenNameCodePoint("Ana María"));
  EXPECT_FALSE(ForbiddenNameCodePoint("Zoë O'Neil-Łukasz"));
  EXPECT_FALSE(ForbiddenNameCodePoint("李小龍"));
  EXPECT_FALSE(ForbiddenNameCodePoint("محمد"));
}

TEST(ForbiddenNameCodePoint, FindsInvisibleBidiAndSeparatorCharacters) {
  EXPECT_EQ(ForbiddenNameCodePoint("Ana\u202Egnp.exe"), U'\u202E');    // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(ForbiddenNameCodePoint("An\u200Ba"), U'\u200B');           // ZERO WIDTH SPACE
  EXPECT_EQ(ForbiddenNameCodePoint("Ana\u2028Bob"), U'\u2028');        // LINE SEPARATOR
  EXPECT_EQ(ForbiddenNameCodePoint("Ana\u2029"), U'\u2029');           // PARAGRAPH SEPARATOR
  EXPECT_EQ(ForbiddenNameCodePoint("\uFEFFAna"), U'\uFEFF');           // BYTE ORDER MARK
  EXPECT_EQ(ForbiddenNameCodePoint("Ana \U000E0001"), U'\U000E0001');  // LANGUAGE TAG
}

TEST(ForbiddenNameCodePoint, FindsUnassignedCodePoints) {
  EXPECT_EQ(ForbiddenNameCodePoint("Ana\u0378"), U'\u0378');          // unassigned in Greek
  EXPECT_EQ(ForbiddenNameCodePoint("Ana\U0003FFFD"), U'\U0003FFFD');  // plane 3, unassigned
}

TEST(CodePointName, UsesTheUPlusNotation) {
  EXPECT_EQ(CodePointName(U'\u202E'), "U+202E");
  EXPECT_EQ(CodePointName(U'\U000E0001'), "U+E0001");
}

TEST(ParseRegistration, RefusesANameWithABidiOverrideNamingIt) {
  try {
    ParseRegistration({{"email", "ana@example.com"},
                       {"password", "correct horse battery"},
                       {"name", "Ana\u202E"}});
    FAIL() << "accepted";
  } catch (const core::Error& error) {
    ASSERT_EQ(error.fields().size(), 1u);
    EXPECT_EQ(error.fields()[0].field, "name");
    EXPECT_NE(error.fields()[0].message.find("U+202E"), std::string::npos);
  }
}

TEST(PasswordQuality, RefusesWeakPasswordsWithTheReason) {
  const PasswordQuality quality;
  EXPECT_NE(quality.Problem("12345678", "ana@example.com").value_or("").find("simplistic"),
            std::string::npos);
  EXPECT_NE(quality.Problem("password", "ana@example.com").value_or("").find("dictionary word"),
            std::string::npos);
  EXPECT_TRUE(quality.Problem("        ", "ana@example.com").has_value());
  EXPECT_TRUE(quality.Problem("anabelle-ana", "anabelle@example.com").has_value());
}

TEST(PasswordQuality, AcceptsAPassphrase) {
  const PasswordQuality quality;
  EXPECT_FALSE(quality.Problem("correct horse battery", "ana@example.com"));
  EXPECT_FALSE(quality.Problem("zebra-quilt-42", "ana@example.com"));
}

TEST(DelayAfter, IsFreeThenDoublesUpToTheCap) {
  const ThrottlePolicy policy{5, std::chrono::seconds{60}, std::chrono::seconds{900}};
  EXPECT_EQ(DelayAfter(1, policy).count(), 0);
  EXPECT_EQ(DelayAfter(5, policy).count(), 0);
  EXPECT_EQ(DelayAfter(6, policy).count(), 2);
  EXPECT_EQ(DelayAfter(7, policy).count(), 4);
  EXPECT_EQ(DelayAfter(10, policy).count(), 32);
  EXPECT_EQ(DelayAfter(11, policy).count(), 60);
  EXPECT_EQ(DelayAfter(100000, policy).count(), 60);
}

}  // namespace
}  // namespace comanda::users
