#pragma once

#include "account_rules.hpp"
#include "comanda/auth/keys.hpp"
#include "comanda/auth/token.hpp"
#include "comanda/http/request.hpp"
#include "comanda/http/response.hpp"
#include "login_throttle.hpp"
#include "passwords.hpp"
#include "user_repository.hpp"

namespace comanda::users {

/// POST /register
class Register final {
 public:
  Register(UserRepository& users, const PasswordHasher& passwords, const PasswordQuality& quality)
      : users_{users}, passwords_{passwords}, quality_{quality} {}
  http::Response operator()(const http::Request& request) const;

 private:
  UserRepository& users_;
  const PasswordHasher& passwords_;
  const PasswordQuality& quality_;
};

/// POST /login
class Login final {
 public:
  Login(UserRepository& users, LoginThrottle& throttle, const PasswordHasher& passwords,
        const auth::SigningKey& key, auth::TokenSettings settings)
      : users_{users},
        throttle_{throttle},
        passwords_{passwords},
        key_{key},
        settings_{std::move(settings)} {}
  http::Response operator()(const http::Request& request) const;

 private:
  UserRepository& users_;
  LoginThrottle& throttle_;
  const PasswordHasher& passwords_;
  const auth::SigningKey& key_;
  auth::TokenSettings settings_;
};

/// GET /profile
class Profile final {
 public:
  Profile(UserRepository& users, const auth::Verifier& verifier)
      : users_{users}, verifier_{verifier} {}
  http::Response operator()(const http::Request& request) const;

 private:
  UserRepository& users_;
  const auth::Verifier& verifier_;
};

/// PUT /users/:id/role (admin): grants or takes back the staff role.
class SetRole final {
 public:
  SetRole(UserRepository& users, const auth::Verifier& verifier)
      : users_{users}, verifier_{verifier} {}
  http::Response operator()(const http::Request& request) const;

 private:
  UserRepository& users_;
  const auth::Verifier& verifier_;
};

/// GET /.well-known/jwks.json
class Jwks final {
 public:
  explicit Jwks(const auth::SigningKey& key) : document_{{"keys", {key.jwk()}}} {}
  http::Response operator()(const http::Request& request) const;

 private:
  nlohmann::json document_;
};

}  // namespace comanda::users
