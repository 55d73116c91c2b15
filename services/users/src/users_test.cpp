#include "users.hpp"

#include <gtest/gtest.h>

#include "comanda/core/error.hpp"

namespace comanda::users {
namespace {

using nlohmann::json;

std::vector<core::FieldError> ErrorsOf(const json& body) {
  try {
    (void)ParseRegistration(body);
  } catch (const core::Error& error) {
    EXPECT_EQ(error.errc(), core::Errc::kValidation);
    return error.fields();
  }
  return {};
}

std::vector<std::string> FieldsOf(const json& body) {
  std::vector<std::string> fields;
  for (const auto& error : ErrorsOf(body)) fields.push_back(error.field);
  return fields;
}

const json kValid{
    {"email", "  Ana.Lopez@Example.COM "}, {"password", "s3cret-pass"}, {"name", " Ana "}};

TEST(NormalizeEmail, TrimsAndLowerCases) {
  EXPECT_EQ(NormalizeEmail("  Ana@Example.COM\t"), "ana@example.com");
}

TEST(IsValidEmail, AcceptsOrdinaryAddresses) {
  for (const auto* email :
       {"a@b.co", "o'brien@example.com", "first.last+tag@sub.example.org", "x_y-z@my-domain.io"}) {
    EXPECT_TRUE(IsValidEmail(email)) << email;
  }
}

TEST(IsValidEmail, RejectsMalformedAddresses) {
  for (const auto* email : {"", "plain", "@example.com", "a@", "a@b", "a@@b.co", "a@b@c.co",
                            "a b@c.co", ".a@b.co", "a.@b.co", "a..b@c.co", "a@-b.co", "a@b-.co",
                            "a@b..co", "a@b.c", "a@b.c0", "ñ@b.co", "a@b.co\n"}) {
    EXPECT_FALSE(IsValidEmail(email)) << email;
  }
  EXPECT_FALSE(IsValidEmail(std::string(65, 'a') + "@b.co"));
  EXPECT_FALSE(IsValidEmail("a@" + std::string(250, 'b') + ".co"));
}

TEST(ParseRegistration, NormalisesAValidBody) {
  const auto registration = ParseRegistration(kValid);
  EXPECT_EQ(registration.email, "ana.lopez@example.com");
  EXPECT_EQ(registration.name, "Ana");
  EXPECT_EQ(registration.password, "s3cret-pass");
}

TEST(ParseRegistration, NamesEveryMissingField) {
  EXPECT_EQ(FieldsOf(json::object()), (std::vector<std::string>{"email", "password", "name"}));
}

TEST(ParseRegistration, RejectsWrongJsonTypes) {
  for (const auto& bad : {json(5), json(nullptr), json::array(), json::object(), json(true)}) {
    for (const auto* field : {"email", "password", "name"}) {
      auto body = kValid;
      body[field] = bad;
      EXPECT_EQ(FieldsOf(body), std::vector<std::string>{field}) << field << " = " << bad.dump();
    }
  }
}

TEST(ParseRegistration, EnforcesPasswordLengthInCharacters) {
  auto body = kValid;
  body["password"] = "short77";
  EXPECT_EQ(FieldsOf(body), std::vector<std::string>{"password"});
  body["password"] = std::string(129, 'p');
  EXPECT_EQ(FieldsOf(body), std::vector<std::string>{"password"});
  body["password"] = "ñññññññ1";  // 8 characters, 15 bytes
  EXPECT_TRUE(FieldsOf(body).empty());
  body["password"] = "  spaces  ";  // not trimmed: 10 characters
  EXPECT_EQ(ParseRegistration(body).password, "  spaces  ");
}

TEST(ParseRegistration, EnforcesNameRules) {
  auto body = kValid;
  body["name"] = "   ";
  EXPECT_EQ(FieldsOf(body), std::vector<std::string>{"name"});
  body["name"] = std::string(101, 'n');
  EXPECT_EQ(FieldsOf(body), std::vector<std::string>{"name"});
  body["name"] = "Bad\nName";
  EXPECT_EQ(FieldsOf(body), std::vector<std::string>{"name"});
  body["name"] = std::string{"nul\0name", 8};
  EXPECT_EQ(FieldsOf(body), std::vector<std::string>{"name"});
  body["name"] = "Robert'); DROP TABLE users;--";
  EXPECT_EQ(ParseRegistration(body).name, "Robert'); DROP TABLE users;--");
}

TEST(ParseRegistration, RejectsAnInvalidEmailOnce) {
  auto body = kValid;
  body["email"] = "not-an-email";
  const auto errors = ErrorsOf(body);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "must be a valid email address");
}

TEST(ParseCredentials, ChecksShapeOnly) {
  const auto credentials = ParseCredentials(json{{"email", " X@Y.CO "}, {"password", "p"}});
  EXPECT_EQ(credentials.email, "x@y.co");
  EXPECT_THROW(ParseCredentials(json{{"email", "x@y.co"}}), core::Error);
  EXPECT_THROW(ParseCredentials(json{{"email", 1}, {"password", "p"}}), core::Error);
}

TEST(ProfileJson, NeverCarriesAPasswordHash) {
  const User user{"id", "a@b.co", "A", "customer", "2026-01-01T00:00:00.000Z"};
  const auto profile = ProfileJson(user);
  EXPECT_EQ(profile["role"], "customer");
  EXPECT_EQ(profile.size(), 5u);
  EXPECT_EQ(RegisteredJson(user).size(), 4u);
}

}  // namespace
}  // namespace comanda::users
