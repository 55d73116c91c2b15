#include "account_rules.hpp"

#include <pwquality.h>
#include <unictype.h>
#include <unistr.h>

#include <array>
#include <cstdio>
#include <stdexcept>

namespace comanda::users {

std::optional<char32_t> ForbiddenNameCodePoint(std::string_view name) {
  const auto forbidden =
      uc_general_category_or(uc_general_category_or(UC_CATEGORY_Cf, UC_CATEGORY_Cn),
                             uc_general_category_or(UC_CATEGORY_Zl, UC_CATEGORY_Zp));
  const auto* at = reinterpret_cast<const std::uint8_t*>(name.data());
  const auto* end = at + name.size();
  while (at < end) {
    ucs4_t code_point = 0;
    const int length = u8_mbtouc(&code_point, at, static_cast<std::size_t>(end - at));
    if (length <= 0) return 0xFFFD;  // not UTF-8: refused like an unassigned code point
    if (uc_is_general_category(code_point, forbidden)) return static_cast<char32_t>(code_point);
    at += length;
  }
  return std::nullopt;
}

std::string CodePointName(char32_t code_point) {
  std::array<char, 16> text{};
  std::snprintf(text.data(), text.size(), "U+%04X", static_cast<unsigned>(code_point));
  return text.data();
}

struct PasswordQuality::Settings {
  pwquality_settings_t* pwq;
};

PasswordQuality::PasswordQuality() : settings_{new Settings{pwquality_default_settings()}} {
  if (settings_->pwq == nullptr) {
    delete settings_;
    throw std::runtime_error{"libpwquality: no default settings"};
  }
  // Our length rule (8) instead of /etc/security/pwquality.conf's; every other check at its
  // default: the dictionary, palindromes, similarity to the user name, too few character kinds.
  pwquality_set_int_value(settings_->pwq, PWQ_SETTING_MIN_LENGTH, 8);
}

PasswordQuality::~PasswordQuality() {
  pwquality_free_settings(settings_->pwq);
  delete settings_;
}

std::optional<std::string> PasswordQuality::Problem(const std::string& password,
                                                    const std::string& email) const {
  const auto user = email.substr(0, email.find('@'));
  void* aux = nullptr;
  std::lock_guard lock{mutex_};
  const int score = pwquality_check(settings_->pwq, password.c_str(), nullptr, user.c_str(), &aux);
  if (score >= 0) return std::nullopt;
  std::array<char, PWQ_MAX_ERROR_MESSAGE_LEN> text{};
  std::string reason = pwquality_strerror(text.data(), text.size(), score, aux);
  // "The password fails the dictionary check - it is based on a dictionary word" -> the reason.
  if (const auto dash = reason.find(" - "); dash != std::string::npos) reason.erase(0, dash + 3);
  if (reason.rfind("The password ", 0) == 0) reason.erase(0, 13);
  return reason;
}

}  // namespace comanda::users
