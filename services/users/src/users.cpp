#include "users.hpp"

#include <algorithm>

#include "account_rules.hpp"
#include "comanda/core/validate.hpp"

namespace comanda::users {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsValidLocalPart(std::string_view local) {
  constexpr std::string_view kSpecials = "!#$%&'*+/=?^_`{|}~.-";
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(local.begin(), local.end(), [&](char c) {
    return IsAsciiAlnum(c) || kSpecials.find(c) != std::string_view::npos;
  });
}

bool IsValidDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t labels = 0;
  std::string_view last;
  while (true) {
    const auto dot = domain.find('.');
    const auto label = domain.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(),
                     [](char c) { return IsAsciiAlnum(c) || c == '-'; })) {
      return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  return labels >= 2 && last.size() >= 2 &&
         std::all_of(last.begin(), last.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

}  // namespace

std::string NormalizeEmail(std::string_view email) {
  std::string out{core::TrimAscii(email)};
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

bool IsValidEmail(std::string_view email) {
  if (email.size() > kMaxEmail) return false;
  const auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos)
    return false;
  return IsValidLocalPart(email.substr(0, at)) && IsValidDomain(email.substr(at + 1));
}

bool IsValidPassword(std::string_view password) {
  const auto length = core::Utf8Length(password);
  return length >= kMinPassword && length <= kMaxPassword &&
         password.find('\0') == std::string_view::npos;
}

Registration ParseRegistration(const nlohmann::json& body) {
  core::FieldReader reader{body};
  Registration out;
  const auto problems_before = reader.errors().size();
  out.email = NormalizeEmail(reader.String("email", {.min_length = 1, .max_length = kMaxEmail}));
  if (reader.errors().size() == problems_before && !IsValidEmail(out.email)) {
    reader.Add("email", "must be a valid email address");
  }
  out.password = reader.String("password", {.min_length = kMinPassword,
                                            .max_length = kMaxPassword,
                                            .trim = false,
                                            .allow_control = true});
  const auto name_problems = reader.errors().size();
  out.name = reader.String("name", {.min_length = 1, .max_length = kMaxName});
  if (reader.errors().size() == name_problems) {
    if (const auto bad = ForbiddenNameCodePoint(out.name)) {
      reader.Add("name",
                 "must not contain invisible, text-direction, line-separator or unassigned "
                 "characters (found " +
                     CodePointName(*bad) + ")");
    }
  }
  reader.ThrowIfInvalid();
  return out;
}

Credentials ParseCredentials(const nlohmann::json& body) {
  core::FieldReader reader{body};
  Credentials out;
  out.email = NormalizeEmail(reader.String("email", {.min_length = 1, .max_length = kMaxEmail}));
  out.password = reader.String(
      "password",
      {.min_length = 1, .max_length = kMaxPassword, .trim = false, .allow_control = true});
  reader.ThrowIfInvalid();
  return out;
}

nlohmann::json RegisteredJson(const User& user) {
  return {
      {"id", user.id}, {"email", user.email}, {"name", user.name}, {"createdAt", user.created_at}};
}

nlohmann::json ProfileJson(const User& user) {
  auto json = RegisteredJson(user);
  json["role"] = user.role;
  return json;
}

std::string ParseRoleChange(const nlohmann::json& body) {
  core::FieldReader reader{body};
  auto role = reader.String("role", {.min_length = 1, .max_length = 32});
  if (!role.empty() && role != "staff" && role != "customer") {
    reader.Add("role", "must be staff or customer");
  }
  reader.ThrowIfInvalid();
  return role;
}

}  // namespace comanda::users
