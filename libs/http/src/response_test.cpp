#include "comanda/http/response.hpp"

#include <gtest/gtest.h>

namespace comanda::http {
namespace {

using core::Errc;
using core::Error;

std::string HeaderOf(const Response& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

TEST(Problem, WritesRfc9457FieldsWithCodeAndRequestId) {
  const auto response =
      Problem(Error{Errc::kConflict, "Email taken."}.WithCode("EMAIL_TAKEN"), "r1");
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.content_type, "application/problem+json");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["type"], "/problems/email-taken");
  EXPECT_EQ(body["title"], "Conflict");
  EXPECT_EQ(body["status"], 409);
  EXPECT_EQ(body["detail"], "Email taken.");
  EXPECT_EQ(body["code"], "EMAIL_TAKEN");
  EXPECT_EQ(body["requestId"], "r1");
  EXPECT_FALSE(body.contains("errors"));
}

TEST(Problem, ListsFieldErrors) {
  const auto response = Problem(
      Error{Errc::kValidation, "Invalid.", {{"items[0].quantity", "must be between 1 and 99"}}},
      "r");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(response.status, 400);
  ASSERT_EQ(body["errors"].size(), 1u);
  EXPECT_EQ(body["errors"][0]["field"], "items[0].quantity");
}

TEST(Problem, AddsAuthenticateAndRetryAfterHeaders) {
  EXPECT_EQ(HeaderOf(Problem(Error{Errc::kUnauthorized, "x"}, "r"), "WWW-Authenticate"), "Bearer");
  EXPECT_FALSE(HeaderOf(Problem(Error{Errc::kUnavailable, "x"}, "r"), "Retry-After").empty());
  EXPECT_TRUE(HeaderOf(Problem(Error{Errc::kNotFound, "x"}, "r"), "Retry-After").empty());
}

TEST(StatusFor, MapsEveryCategory) {
  EXPECT_EQ(StatusFor(Errc::kValidation), 400);
  EXPECT_EQ(StatusFor(Errc::kForbidden), 403);
  EXPECT_EQ(StatusFor(Errc::kUnprocessable), 422);
  EXPECT_EQ(StatusFor(Errc::kUnsupportedMediaType), 415);
  EXPECT_EQ(StatusFor(Errc::kPayloadTooLarge), 413);
  EXPECT_EQ(StatusFor(Errc::kUnavailable), 503);
  EXPECT_EQ(StatusFor(Errc::kInternal), 500);
}

}  // namespace
}  // namespace comanda::http
