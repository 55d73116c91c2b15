#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "comanda/core/error.hpp"

namespace comanda::core {

/// Number of Unicode code points in valid UTF-8 text.
std::size_t Utf8Length(std::string_view text) noexcept;

/// True for well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool IsValidUtf8(std::string_view text) noexcept;

/// True when the text has a C0 or C1 control character, DEL, or (unless allowed) a line break or
/// tab. C1 (U+0080 to U+009F) matters because U+009B starts a terminal escape sequence.
bool HasControlCharacters(std::string_view text, bool allow_line_breaks) noexcept;

/// Strips ASCII whitespace from both ends.
std::string_view TrimAscii(std::string_view text) noexcept;

/// Rules for one string field. Lengths count code points, after trimming when `trim` is set.
/// Parses JSON text (an HTTP body, an AMQP message), refusing nesting deeper than `max_depth`
/// so that a body of brackets costs little. nullopt for malformed or too deep text; `too_deep`
/// (when given) says which.
std::optional<nlohmann::json> ParseJsonLimited(std::string_view text, int max_depth = 64,
                                               bool* too_deep = nullptr);

struct StringRule {
  std::size_t min_length = 1;
  std::size_t max_length = 255;
  bool trim = true;
  bool allow_line_breaks = false;
  bool allow_control = false;  // passwords: any character is allowed
};

/// Reads fields from a JSON request object, collecting every problem as a FieldError so that one
/// 400 names them all. Unknown fields are ignored.
class FieldReader {
 public:
  /// Throws Error{kValidation} when `body` is not a JSON object. `body` must outlive the reader.
  explicit FieldReader(const nlohmann::json& body, std::string prefix = "");
  FieldReader(nlohmann::json&&, std::string = "") = delete;

  /// A required string; records a problem and returns "" when missing or invalid.
  std::string String(const std::string& field, const StringRule& rule);
  /// An optional string: nullopt when absent or null.
  std::optional<std::string> OptionalString(const std::string& field, const StringRule& rule);
  /// A required integer in [min, max]; a number with a fraction or a string is rejected.
  std::optional<std::int64_t> Integer(const std::string& field, std::int64_t min, std::int64_t max);
  /// A required boolean.
  std::optional<bool> Boolean(const std::string& field);
  /// A required array with [min, max] elements, or nullptr (problem recorded).
  const nlohmann::json* Array(const std::string& field, std::size_t min, std::size_t max);

  void Add(const std::string& field, std::string message);
  const std::vector<FieldError>& errors() const noexcept { return errors_; }
  /// Throws Error{kValidation} naming every field problem, if there is any.
  void ThrowIfInvalid() const;

  /// Moves this reader's problems into another (for nested objects).
  void MergeInto(FieldReader& parent) const;

 private:
  std::string Path(const std::string& field) const;
  const nlohmann::json* Find(const std::string& field) const;
  std::optional<std::string> CheckString(const std::string& field, const nlohmann::json& value,
                                         const StringRule& rule);

  const nlohmann::json& body_;
  std::string prefix_;
  std::vector<FieldError> errors_;
};

}  // namespace comanda::core
