#include "comanda/http/response.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace comanda::http {
namespace {

std::string_view Title(core::Errc errc) noexcept {
  using core::Errc;
  switch (errc) {
    case Errc::kBadRequest:
      return "Bad request";
    case Errc::kValidation:
      return "Validation failed";
    case Errc::kUnauthorized:
      return "Unauthorized";
    case Errc::kForbidden:
      return "Forbidden";
    case Errc::kNotFound:
      return "Not found";
    case Errc::kMethodNotAllowed:
      return "Method not allowed";
    case Errc::kConflict:
      return "Conflict";
    case Errc::kUnprocessable:
      return "Unprocessable request";
    case Errc::kUnsupportedMediaType:
      return "Unsupported media type";
    case Errc::kPayloadTooLarge:
      return "Payload too large";
    case Errc::kTooManyRequests:
      return "Too many requests";
    case Errc::kUnavailable:
      return "Service unavailable";
    case Errc::kInternal:
      return "Internal error";
  }
  return "Internal error";
}

// `EMAIL_TAKEN` -> `/problems/email-taken`: a stable relative URI per code.
std::string TypeUri(const std::string& code) {
  std::string slug = code;
  std::transform(slug.begin(), slug.end(), slug.begin(), [](unsigned char c) {
    return c == '_' ? '-' : static_cast<char>(std::tolower(c));
  });
  return "/problems/" + slug;
}

}  // namespace

Response Json(int status, const nlohmann::json& body) {
  return Response{status,
                  "application/json",
                  body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  {}};
}

Response Empty(int status) { return Response{status, "", "", {}}; }

Response StreamOf(std::string content_type,
                  std::function<void(std::shared_ptr<Stream>)> on_stream) {
  Response response;
  response.content_type = std::move(content_type);
  response.on_stream = std::move(on_stream);
  return response;
}

Response Text(int status, std::string body, std::string content_type) {
  return Response{status, std::move(content_type), std::move(body), {}};
}

int StatusFor(core::Errc errc) noexcept {
  using core::Errc;
  switch (errc) {
    case Errc::kBadRequest:
    case Errc::kValidation:
      return 400;
    case Errc::kUnauthorized:
      return 401;
    case Errc::kForbidden:
      return 403;
    case Errc::kNotFound:
      return 404;
    case Errc::kMethodNotAllowed:
      return 405;
    case Errc::kConflict:
      return 409;
    case Errc::kUnprocessable:
      return 422;
    case Errc::kUnsupportedMediaType:
      return 415;
    case Errc::kPayloadTooLarge:
      return 413;
    case Errc::kTooManyRequests:
      return 429;
    case Errc::kUnavailable:
      return 503;
    case Errc::kInternal:
      return 500;
  }
  return 500;
}

Response Problem(const core::Error& error, const std::string& request_id) {
  const int status = StatusFor(error.errc());
  nlohmann::json body{
      {"type", TypeUri(error.code())}, {"title", Title(error.errc())}, {"status", status},
      {"detail", error.detail()},      {"code", error.code()},         {"requestId", request_id}};
  if (!error.fields().empty()) {
    auto& errors = body["errors"] = nlohmann::json::array();
    for (const auto& field : error.fields()) {
      errors.push_back({{"field", field.field}, {"message", field.message}});
    }
  }
  auto response = Json(status, body);
  response.content_type = "application/problem+json";
  if (status == 401) response.Header("WWW-Authenticate", "Bearer");
  if (status == 503 || status == 429) response.Header("Retry-After", "2");
  return response;
}

}  // namespace comanda::http
