#include "comanda/core/validate.hpp"

#include <gtest/gtest.h>

namespace comanda::core {
namespace {

using nlohmann::json;

TEST(Utf8Length, CountsCodePointsNotBytes) {
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("ñandú"), 5u);
  EXPECT_EQ(Utf8Length("📩"), 1u);
}

TEST(HasControlCharacters, FlagsC0AndDel) {
  EXPECT_FALSE(HasControlCharacters("plain text", false));
  EXPECT_TRUE(HasControlCharacters(std::string{"a\0b", 3}, false));
  EXPECT_TRUE(HasControlCharacters("a\x1b[31m", false));
  EXPECT_TRUE(HasControlCharacters("a\x7f", false));
  EXPECT_TRUE(HasControlCharacters("a\nb", false));
  EXPECT_FALSE(HasControlCharacters("a\nb\tc", true));
}

TEST(HasControlCharacters, FlagsC1ControlsButNotOtherLatin1) {
  EXPECT_TRUE(HasControlCharacters("a\u0085b", false));
  EXPECT_TRUE(HasControlCharacters("a\u009b31m", false));
  EXPECT_FALSE(HasControlCharacters("a\u00a0b ñ é", false));
}

TEST(IsValidUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("ñandú 📩 \u20ac"));
}

TEST(IsValidUtf8, RejectsMalformedSequences) {
  for (const auto* bad :
       {"\xff", "\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80",
        "a\xe9"
        "b"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
  }
}

TEST(TrimAscii, StripsBothEnds) {
  EXPECT_EQ(TrimAscii("  a b \n"), "a b");
  EXPECT_EQ(TrimAscii("   "), "");
}

TEST(FieldReader, RejectsANonObjectBody) {
  const json array = json::array();
  const json text = "text";
  EXPECT_THROW(FieldReader{array}, Error);
  EXPECT_THROW(FieldReader{text}, Error);
}

TEST(FieldReader, ReturnsTrimmedValidStrings) {
  const json body{{"name", "  Ana  "}};
  FieldReader reader{body};
  EXPECT_EQ(reader.String("name", {.min_length = 1, .max_length = 10}), "Ana");
  EXPECT_TRUE(reader.errors().empty());
}

TEST(FieldReader, NamesEveryBadField) {
  const json body{{"a", 5}, {"c", std::string(11, 'x')}, {"d", "  "}};
  FieldReader reader{body};
  reader.String("a", {});
  reader.String("b", {});
  reader.String("c", {.min_length = 1, .max_length = 10});
  reader.String("d", {});
  ASSERT_EQ(reader.errors().size(), 4u);
  EXPECT_EQ(reader.errors()[0], (FieldError{"a", "must be a string"}));
  EXPECT_EQ(reader.errors()[1], (FieldError{"b", "is required"}));
  EXPECT_EQ(reader.errors()[2], (FieldError{"c", "must be 1 to 10 characters"}));
  EXPECT_EQ(reader.errors()[3].field, "d");
  EXPECT_THROW(reader.ThrowIfInvalid(), Error);
}

TEST(FieldReader, RejectsNulEvenWhenControlCharactersAreAllowed) {
  const json body{{"p", std::string{"abc\0defgh", 9}}};
  FieldReader reader{body};
  reader.String("p", {.min_length = 1, .max_length = 20, .trim = false, .allow_control = true});
  ASSERT_EQ(reader.errors().size(), 1u);
}

TEST(FieldReader, CountsLengthInCharacters) {
  const json body{{"name", std::string(100, 'x')}, {"emoji", "📩📩"}};
  FieldReader reader{body};
  EXPECT_EQ(reader.String("name", {.min_length = 1, .max_length = 100}).size(), 100u);
  EXPECT_EQ(reader.String("emoji", {.min_length = 1, .max_length = 2}), "📩📩");
  EXPECT_TRUE(reader.errors().empty());
}

TEST(FieldReader, IntegersMustBeWholeNumbersInRange) {
  const json body{{"a", 3}, {"b", 2.5}, {"c", "3"}, {"d", 100}, {"e", 18446744073709551615u}};
  FieldReader reader{body};
  EXPECT_EQ(reader.Integer("a", 1, 99), 3);
  EXPECT_EQ(reader.Integer("b", 1, 99), std::nullopt);
  EXPECT_EQ(reader.Integer("c", 1, 99), std::nullopt);
  EXPECT_EQ(reader.Integer("d", 1, 99), std::nullopt);
  EXPECT_EQ(reader.Integer("e", 1, 99), std::nullopt);
  ASSERT_EQ(reader.errors().size(), 4u);
  EXPECT_EQ(reader.errors()[2].message, "must be between 1 and 99");
}

TEST(FieldReader, PrefixesNestedPaths) {
  const json body{{"quantity", 0}};
  FieldReader reader{body, "items[2]"};
  reader.Integer("quantity", 1, 99);
  ASSERT_EQ(reader.errors().size(), 1u);
  EXPECT_EQ(reader.errors()[0].field, "items[2].quantity");
}

}  // namespace
}  // namespace comanda::core
