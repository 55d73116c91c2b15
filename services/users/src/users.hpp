#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

/// The users domain: input rules as plain functions, unit-tested without a server or a database.
namespace comanda::users {

/// A stored user, without the password hash.
struct User {
  std::string id;
  std::string email;
  std::string name;
  std::string role;        // customer | staff | admin
  std::string created_at;  // RFC 3339 UTC
};

struct Registration {
  std::string email;  // normalised
  std::string password;
  std::string name;  // trimmed
};

struct Credentials {
  std::string email;  // normalised
  std::string password;
};

inline constexpr std::size_t kMinPassword = 8;
inline constexpr std::size_t kMaxPassword = 128;
inline constexpr std::size_t kMaxName = 100;
inline constexpr std::size_t kMaxEmail = 254;

/// Trims ASCII whitespace and lower-cases ASCII letters.
std::string NormalizeEmail(std::string_view email);
/// A pragmatic address check on a normalised email: ASCII `local@domain.tld`, no spaces.
bool IsValidEmail(std::string_view email);
bool IsValidPassword(std::string_view password);

/// Validates a `POST /register` body; throws core::Error{kValidation} naming every bad field.
Registration ParseRegistration(const nlohmann::json& body);
/// Validates a `POST /login` body (shape only: a wrong email is a 401, not a 400).
Credentials ParseCredentials(const nlohmann::json& body);

/// `{"id","email","name","createdAt"}` for register; with `role` for the profile.
nlohmann::json RegisteredJson(const User& user);
nlohmann::json ProfileJson(const User& user);

/// Validates a `PUT /users/{id}/role` body: `{"role": "staff"}` or `{"role": "customer"}` (admins
/// are made only by ADMIN_EMAIL); throws core::Error{kValidation}.
std::string ParseRoleChange(const nlohmann::json& body);

}  // namespace comanda::users
