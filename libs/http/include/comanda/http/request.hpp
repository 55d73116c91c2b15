#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace comanda::http {

/// An incoming request, copied out of the server so handlers never see the HTTP library.
struct Request {
  std::string method;      // "GET", "POST", ...
  std::string path;        // without the query string
  std::string route;       // the matched route pattern, e.g. "/orders/:id"
  std::string request_id;  // the echoed or generated X-Request-Id
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::vector<std::pair<std::string, std::string>> query;    // decoded
  std::vector<std::pair<std::string, std::string>> params;   // route parameters
  std::string body;

  /// A header's value ("" when absent); `name` is matched case-insensitively.
  std::string_view Header(std::string_view name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
  /// A route parameter ("" when absent).
  std::string_view Param(std::string_view name) const;
  /// The body as JSON, parsed on first use: 415 (core::Error) unless the request says
  /// `application/json`, 400 MALFORMED_JSON when it is not JSON or is nested too deep. Parsing
  /// lazily lets a handler authenticate first, so an anonymous caller learns nothing from
  /// validation. (The 64 KiB limit is checked before any handler runs.)
  const nlohmann::json& Json() const;

 private:
  mutable std::optional<nlohmann::json> json_;
};

/// Parses a request body as JSON, refusing nesting deeper than `max_depth`.
/// Throws core::Error{kBadRequest, MALFORMED_JSON} on any problem.
nlohmann::json ParseJsonBody(std::string_view body, int max_depth = 64);

/// True when every `%` in the path starts a two-digit hex escape and the decoded path is UTF-8.
bool IsValidPath(std::string_view path) noexcept;

/// True for `application/json`, with optional parameters, in any case.
bool IsJsonContentType(std::string_view content_type) noexcept;

}  // namespace comanda::http
