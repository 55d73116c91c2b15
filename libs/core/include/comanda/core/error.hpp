#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace comanda::core {

/// Protocol-neutral error categories; the http library maps each to one status code.
enum class Errc {
  kBadRequest,
  kValidation,
  kUnauthorized,
  kForbidden,
  kNotFound,
  kMethodNotAllowed,
  kConflict,
  kUnprocessable,
  kUnsupportedMediaType,
  kPayloadTooLarge,
  kTooManyRequests,
  kUnavailable,
  kInternal,
};

/// One invalid input field: `field` is a JSON path such as `items[0].quantity`.
struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

/// The one exception type handlers throw for expected failures. `detail` is safe to send to the
/// client; `code` is the stable machine-readable code (defaults to the category's).
class Error : public std::runtime_error {
 public:
  Error(Errc errc, std::string detail, std::vector<FieldError> fields = {});

  /// Returns the error with a more specific machine-readable code, e.g. `EMAIL_TAKEN`.
  Error WithCode(std::string code) &&;

  Errc errc() const noexcept { return errc_; }
  const std::string& code() const noexcept { return code_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::vector<FieldError>& fields() const noexcept { return fields_; }

 private:
  Errc errc_;
  std::string code_;
  std::string detail_;
  std::vector<FieldError> fields_;
};

/// The default machine-readable code of a category, e.g. `VALIDATION_FAILED`.
std::string_view DefaultCode(Errc errc) noexcept;

}  // namespace comanda::core
