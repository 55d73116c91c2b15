#include "comanda/http/request.hpp"

#include <algorithm>
#include <cctype>

#include "comanda/core/error.hpp"
#include "comanda/core/validate.hpp"

namespace comanda::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

template <class Pairs>
const std::string* FindValue(const Pairs& pairs, std::string_view name, bool ignore_case) {
  for (const auto& [key, value] : pairs) {
    if (ignore_case ? EqualsIgnoreCase(key, name) : key == name) return &value;
  }
  return nullptr;
}

core::Error Malformed(std::string detail) {
  return core::Error{core::Errc::kBadRequest, std::move(detail)}.WithCode("MALFORMED_JSON");
}

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  const auto* value = FindValue(headers, name, true);
  return value == nullptr ? std::string_view{} : std::string_view{*value};
}

const nlohmann::json& Request::Json() const {
  if (!json_) {
    if (!IsJsonContentType(Header("content-type"))) {
      throw core::Error{core::Errc::kUnsupportedMediaType,
                        "The request body must be application/json."};
    }
    json_ = ParseJsonBody(body);
  }
  return *json_;
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  const auto* value = FindValue(query, name, false);
  if (value == nullptr) return std::nullopt;
  return std::string_view{*value};
}

std::string_view Request::Param(std::string_view name) const {
  const auto* value = FindValue(params, name, false);
  return value == nullptr ? std::string_view{} : std::string_view{*value};
}

nlohmann::json ParseJsonBody(std::string_view body, int max_depth) {
  bool too_deep = false;
  auto json = core::ParseJsonLimited(body, max_depth, &too_deep);
  if (json) return std::move(*json);
  if (too_deep) {
    throw Malformed("The request body is nested more than " + std::to_string(max_depth) +
                    " levels deep.");
  }
  throw Malformed("The request body is not valid JSON.");
}

bool IsValidPath(std::string_view path) noexcept {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string decoded;
  decoded.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      decoded += path[i];
      continue;
    }
    if (i + 2 >= path.size() || hex(path[i + 1]) < 0 || hex(path[i + 2]) < 0) return false;
    decoded += static_cast<char>(hex(path[i + 1]) * 16 + hex(path[i + 2]));
    i += 2;
  }
  return core::IsValidUtf8(decoded);
}

bool IsJsonContentType(std::string_view content_type) noexcept {
  const auto semicolon = content_type.find(';');
  auto media = content_type.substr(0, semicolon);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  return EqualsIgnoreCase(media, "application/json");
}

}  // namespace comanda::http
