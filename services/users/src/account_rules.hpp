#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace comanda::users {

/// The first code point of `name` that is invisible or reorders text (Unicode general category
/// Cf, e.g. U+202E RIGHT-TO-LEFT OVERRIDE or U+200B ZERO WIDTH SPACE), a line or paragraph
/// separator (Zl, Zp) or unassigned (Cn), by libunistring's Unicode tables. Expects valid UTF-8.
std::optional<char32_t> ForbiddenNameCodePoint(std::string_view name);

/// "U+202E": how a code point is named in an error message.
std::string CodePointName(char32_t code_point);

/// Password quality by libpwquality (cracklib's dictionary, similarity to the email and name,
/// palindromes, character classes), with our length rules (8 to 128).
class PasswordQuality {
 public:
  PasswordQuality();
  ~PasswordQuality();
  PasswordQuality(const PasswordQuality&) = delete;
  PasswordQuality& operator=(const PasswordQuality&) = delete;

  /// Why `password` is too weak ("it is based on a dictionary word"), or nullopt when it is fine.
  std::optional<std::string> Problem(const std::string& password, const std::string& email) const;

 private:
  struct Settings;
  Settings* settings_;
  mutable std::mutex mutex_;  // cracklib keeps state between calls
};

}  // namespace comanda::users
