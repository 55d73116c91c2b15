#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "comanda/core/error.hpp"

namespace comanda::http {

class Stream;  // comanda/http/stream.hpp

/// What a handler returns; the server adds X-Request-Id and writes it.
struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// Set by StreamOf: the status and headers are sent at once, then this runs (on the worker
  /// thread) with the open stream, which the handler hands to whatever writes it later.
  std::function<void(std::shared_ptr<Stream>)> on_stream = {};

  Response& Header(std::string name, std::string value) & {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  Response&& Header(std::string name, std::string value) && {
    headers.emplace_back(std::move(name), std::move(value));
    return std::move(*this);
  }
};

/// A JSON response.
Response Json(int status, const nlohmann::json& body);
/// A response with no body (204, 304).
Response Empty(int status);
/// A plain text response.
Response Text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");

/// A 200 whose body is a stream of `content_type` (a HEAD request gets the headers only).
Response StreamOf(std::string content_type, std::function<void(std::shared_ptr<Stream>)> on_stream);

/// The HTTP status of an error category.
int StatusFor(core::Errc errc) noexcept;

/// An RFC 9457 problem+json response for an Error, with `code` and `requestId`, plus the headers
/// its status calls for (`WWW-Authenticate` on 401, `Retry-After` on 503 and 429).
Response Problem(const core::Error& error, const std::string& request_id);

}  // namespace comanda::http
