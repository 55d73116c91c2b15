#include "parse_errors.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

namespace comanda::http {
namespace {

ParseErrorAnswer Make(int status, std::string code, std::string title, std::string detail) {
  return ParseErrorAnswer{status, std::move(code), std::move(title), std::move(detail)};
}

std::string Bytes(std::size_t count) { return std::to_string(count) + " bytes"; }

// `FOO_BAR` -> `/problems/foo-bar`, as http::Problem names its types.
std::string TypeUri(const std::string& code) {
  std::string slug;
  for (const char c : code) {
    slug += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return "/problems/" + slug;
}

}  // namespace

std::optional<ParseErrorAnswer> AnswerForParserError(std::string_view message,
                                                     const core::HttpLimits& limits) {
  constexpr std::string_view kMarker = "parser error HPE_";
  const auto at = message.find(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  auto name = message.substr(at + kMarker.size());
  name = name.substr(0, name.find(':'));

  if (name == "CB_url") {
    return Make(414, "URI_TOO_LONG", "URI too long",
                "The request target is longer than " + Bytes(limits.max_url_bytes) + ".");
  }
  if (name == "CB_header_field" || name == "CB_header_value" || name == "HEADER_OVERFLOW") {
    return Make(431, "HEADERS_TOO_LARGE", "Request header fields too large",
                "The request has more than " + std::to_string(limits.max_headers) +
                    " header fields or more than " + Bytes(limits.max_header_bytes) + " of them.");
  }
  if (name == "CB_headers_complete" || name == "CB_body") {
    return Make(413, "PAYLOAD_TOO_LARGE", "Payload too large",
                "The request body is larger than " + Bytes(limits.max_body_bytes) + ".");
  }
  if (name == "INVALID_METHOD") {
    return Make(501, "NOT_IMPLEMENTED", "Not implemented",
                "The request method is not one this service implements (methods are "
                "case-sensitive: GET, POST, ...).");
  }
  if (name == "INVALID_VERSION") return VersionNotSupported();
  if (name == "INVALID_TRANSFER_ENCODING") {
    return Make(501, "NOT_IMPLEMENTED", "Not implemented",
                "The only transfer coding understood is chunked.");
  }
  if (name == "UNEXPECTED_CONTENT_LENGTH" || name == "INVALID_CONTENT_LENGTH") {
    return Make(400, "BAD_REQUEST", "Bad request",
                "The request's Content-Length is invalid, repeated or sent with "
                "Transfer-Encoding.");
  }
  if (name == "INVALID_HEADER_TOKEN" || name == "LF_EXPECTED" || name == "INVALID_CONSTANT") {
    return Make(400, "BAD_REQUEST", "Bad request",
                "A header line is malformed (no colon, or a control character such as a bare CR "
                "or NUL).");
  }
  if (name == "INVALID_URL" || name == "INVALID_PATH" || name == "INVALID_QUERY_STRING" ||
      name == "INVALID_FRAGMENT" || name == "INVALID_HOST" || name == "INVALID_PORT") {
    return Make(400, "BAD_REQUEST", "Bad request", "The request target is malformed.");
  }
  if (name.rfind("CB_", 0) == 0 || name == "PAUSED") return std::nullopt;  // not the client's
  return Make(400, "BAD_REQUEST", "Bad request", "The request is not valid HTTP/1.1.");
}

ParseErrorAnswer VersionNotSupported() {
  return Make(505, "HTTP_VERSION_NOT_SUPPORTED", "HTTP version not supported",
              "Only HTTP/1.0 and HTTP/1.1 are served.");
}

Response ToResponse(const ParseErrorAnswer& answer, const std::string& request_id) {
  const nlohmann::json body{{"type", TypeUri(answer.code)}, {"title", answer.title},
                            {"status", answer.status},      {"detail", answer.detail},
                            {"code", answer.code},          {"requestId", request_id}};
  auto response = Json(answer.status, body);
  response.content_type = "application/problem+json";
  return response;
}

std::string RawProblemResponse(const ParseErrorAnswer& answer, const std::string& request_id) {
  const nlohmann::json body{{"type", TypeUri(answer.code)}, {"title", answer.title},
                            {"status", answer.status},      {"detail", answer.detail},
                            {"code", answer.code},          {"requestId", request_id}};
  const auto text = body.dump();
  std::string out = "HTTP/1.1 " + std::to_string(answer.status) + " " + answer.title + "\r\n";
  out += "Content-Type: application/problem+json\r\n";
  out += "Content-Length: " + std::to_string(text.size()) + "\r\n";
  out += "X-Request-Id: " + request_id + "\r\n";
  out += "Connection: close\r\n\r\n";
  out += text;
  return out;
}

}  // namespace comanda::http
