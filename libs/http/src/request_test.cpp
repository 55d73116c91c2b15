#include "comanda/http/request.hpp"

#include <gtest/gtest.h>

#include "comanda/core/error.hpp"

namespace comanda::http {
namespace {

core::Error CaptureError(std::string_view body) {
  try {
    (void)ParseJsonBody(body);
  } catch (const core::Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error for " << body;
  return core::Error{core::Errc::kInternal, "none"};
}

TEST(ParseJsonBody, ParsesObjects) { EXPECT_EQ(ParseJsonBody(R"({"a":1})")["a"], 1); }

TEST(ParseJsonBody, RejectsMalformedJsonAsBadRequest) {
  for (const auto* body : {"", "{", "{'a':1}", "{\"a\":1} trailing", "nul"}) {
    const auto error = CaptureError(body);
    EXPECT_EQ(error.errc(), core::Errc::kBadRequest) << body;
    EXPECT_EQ(error.code(), "MALFORMED_JSON") << body;
  }
}

TEST(ParseJsonBody, RejectsInvalidUtf8) {
  EXPECT_EQ(CaptureError("{\"a\":\"\xff\"}").code(), "MALFORMED_JSON");
}

TEST(ParseJsonBody, RejectsDeepNesting) {
  const std::string deep = std::string(65, '[') + std::string(65, ']');
  const auto error = CaptureError(deep);
  EXPECT_NE(error.detail().find("nested"), std::string::npos);
  const std::string ok = std::string(63, '[') + std::string(63, ']');
  EXPECT_NO_THROW((void)ParseJsonBody(ok));
}

TEST(IsValidPath, AcceptsPlainAndWellEscapedPaths) {
  EXPECT_TRUE(IsValidPath("/products/42"));
  EXPECT_TRUE(IsValidPath("/%C3%A9"));
  EXPECT_TRUE(IsValidPath("/a%20b"));
}

TEST(IsValidPath, RejectsBrokenEscapesAndInvalidUtf8) {
  for (const auto* path : {"/%ff%fe", "/%e9", "/a%2", "/%zz", "/%"}) {
    EXPECT_FALSE(IsValidPath(path)) << path;
  }
}

TEST(IsJsonContentType, AcceptsParametersAndAnyCase) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(IsJsonContentType("text/plain"));
  EXPECT_FALSE(IsJsonContentType("application/jsonp"));
  EXPECT_FALSE(IsJsonContentType(""));
}

TEST(Request, LooksHeadersUpIgnoringCase) {
  Request request;
  request.headers = {{"x-request-id", "abc"}};
  request.query = {{"category", "pizzas"}};
  request.params = {{"id", "42"}};
  EXPECT_EQ(request.Header("X-Request-Id"), "abc");
  EXPECT_EQ(request.Header("missing"), "");
  EXPECT_EQ(request.Query("category"), "pizzas");
  EXPECT_EQ(request.Query("other"), std::nullopt);
  EXPECT_EQ(request.Param("id"), "42");
}

}  // namespace
}  // namespace comanda::http
