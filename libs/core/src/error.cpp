#include "comanda/core/error.hpp"

#include <utility>

namespace comanda::core {

Error::Error(Errc errc, std::string detail, std::vector<FieldError> fields)
    : std::runtime_error{detail},
      errc_{errc},
      code_{DefaultCode(errc)},
      detail_{std::move(detail)},
      fields_{std::move(fields)} {}

Error Error::WithCode(std::string code) && {
  code_ = std::move(code);
  return std::move(*this);
}

std::string_view DefaultCode(Errc errc) noexcept {
  switch (errc) {
    case Errc::kBadRequest:
      return "BAD_REQUEST";
    case Errc::kValidation:
      return "VALIDATION_FAILED";
    case Errc::kUnauthorized:
      return "UNAUTHORIZED";
    case Errc::kForbidden:
      return "FORBIDDEN";
    case Errc::kNotFound:
      return "NOT_FOUND";
    case Errc::kMethodNotAllowed:
      return "METHOD_NOT_ALLOWED";
    case Errc::kConflict:
      return "CONFLICT";
    case Errc::kUnprocessable:
      return "UNPROCESSABLE";
    case Errc::kUnsupportedMediaType:
      return "UNSUPPORTED_MEDIA_TYPE";
    case Errc::kPayloadTooLarge:
      return "PAYLOAD_TOO_LARGE";
    case Errc::kTooManyRequests:
      return "TOO_MANY_REQUESTS";
    case Errc::kUnavailable:
      return "DEPENDENCY_UNAVAILABLE";
    case Errc::kInternal:
      return "INTERNAL";
  }
  return "INTERNAL";
}

}  // namespace comanda::core
