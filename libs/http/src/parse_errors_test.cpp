#include "parse_errors.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace comanda::http {
namespace {

std::optional<ParseErrorAnswer> For(const std::string& reason) {
  return AnswerForParserError("[connection:7] parser error " + reason + ": details",
                              core::HttpLimits{});
}

TEST(AnswerForParserError, MapsEachLimitToItsStatus) {
  EXPECT_EQ(For("HPE_CB_url")->status, 414);
  EXPECT_EQ(For("HPE_CB_header_field")->status, 431);
  EXPECT_EQ(For("HPE_CB_header_value")->status, 431);
  EXPECT_EQ(For("HPE_HEADER_OVERFLOW")->status, 431);
  EXPECT_EQ(For("HPE_CB_headers_complete")->status, 413);
  EXPECT_EQ(For("HPE_CB_body")->status, 413);
}

TEST(AnswerForParserError, MapsProtocolMistakes) {
  EXPECT_EQ(For("HPE_INVALID_METHOD")->status, 501);
  EXPECT_EQ(For("HPE_INVALID_VERSION")->status, 505);
  EXPECT_EQ(For("HPE_INVALID_TRANSFER_ENCODING")->status, 501);
  EXPECT_EQ(For("HPE_UNEXPECTED_CONTENT_LENGTH")->status, 400);
  EXPECT_EQ(For("HPE_INVALID_HEADER_TOKEN")->status, 400);
  EXPECT_EQ(For("HPE_INVALID_URL")->status, 400);
  EXPECT_EQ(For("HPE_STRICT")->status, 400);
}

TEST(AnswerForParserError, QuotesTheConfiguredLimit) {
  core::HttpLimits limits;
  limits.max_body_bytes = 1234;
  const auto answer =
      AnswerForParserError("[connection:1] parser error HPE_CB_body: x", limits).value();
  EXPECT_EQ(answer.code, "PAYLOAD_TOO_LARGE");
  EXPECT_NE(answer.detail.find("1234 bytes"), std::string::npos);
}

TEST(AnswerForParserError, IgnoresOtherMessages) {
  EXPECT_FALSE(AnswerForParserError("[connection:1] error while handling request: x", {}));
  EXPECT_FALSE(AnswerForParserError("accept failed", {}));
  EXPECT_FALSE(For("HPE_CB_message_complete"));  // our own callback failing is not the client's
}

TEST(ToResponse, IsTheSameProblemForTheOrdinaryWritePath) {
  const auto response = ToResponse(VersionNotSupported(), "req-2");
  EXPECT_EQ(response.status, 505);
  EXPECT_EQ(response.content_type, "application/problem+json");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["code"], "HTTP_VERSION_NOT_SUPPORTED");
  EXPECT_EQ(body["requestId"], "req-2");
}

TEST(RawProblemResponse, IsACompleteClosingHttpResponse) {
  const auto text = RawProblemResponse({431, "HEADERS_TOO_LARGE", "Too large", "d"}, "req-1");
  ASSERT_EQ(text.rfind("HTTP/1.1 431 ", 0), 0u);
  EXPECT_NE(text.find("Content-Type: application/problem+json\r\n"), std::string::npos);
  EXPECT_NE(text.find("X-Request-Id: req-1\r\n"), std::string::npos);
  EXPECT_NE(text.find("Connection: close\r\n"), std::string::npos);
  const auto body_at = text.find("\r\n\r\n") + 4;
  const auto body = nlohmann::json::parse(text.substr(body_at));
  EXPECT_EQ(text.find("Content-Length: " + std::to_string(text.size() - body_at) + "\r\n") !=
                std::string::npos,
            true);
  EXPECT_EQ(body["status"], 431);
  EXPECT_EQ(body["code"], "HEADERS_TOO_LARGE");
  EXPECT_EQ(body["type"], "/problems/headers-too-large");
  EXPECT_EQ(body["requestId"], "req-1");
}

}  // namespace
}  // namespace comanda::http
