#pragma once

#include <functional>
#include <vector>

#include "comanda/http/server.hpp"
#include "config.hpp"
#include "handlers.hpp"

namespace comanda::users {

/// users-service's route table, built from injected dependencies.
class App {
 public:
  App(const Config& config, UserRepository& users, LoginThrottle& throttle,
      const PasswordHasher& passwords, const PasswordQuality& quality, const auth::SigningKey& key,
      const auth::Verifier& verifier);

  std::vector<http::Route> Routes() const;

 private:
  Register register_;
  Login login_;
  Profile profile_;
  SetRole set_role_;
  Jwks jwks_;
};

}  // namespace comanda::users
