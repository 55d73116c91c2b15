#include "app.hpp"

namespace comanda::users {

App::App(const Config& config, UserRepository& users, LoginThrottle& throttle,
         const PasswordHasher& passwords, const PasswordQuality& quality,
         const auth::SigningKey& key, const auth::Verifier& verifier)
    : register_{users, passwords, quality},
      login_{users,
             throttle,
             passwords,
             key,
             {config.jwt_issuer, config.jwt_audience, config.jwt_ttl}},
      profile_{users, verifier},
      set_role_{users, verifier},
      jwks_{key} {}

std::vector<http::Route> App::Routes() const {
  return {
      {"POST", "/register", register_},
      {"POST", "/login", login_},
      {"GET", "/profile", profile_},
      {"PUT", "/users/:id/role", set_role_},
      {"GET", "/.well-known/jwks.json", jwks_},
  };
}

}  // namespace comanda::users
