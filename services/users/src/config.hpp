#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "comanda/core/config.hpp"
#include "login_throttle.hpp"

namespace comanda::users {

struct Config {
  core::CommonConfig common;
  std::string database_url;
  std::string jwt_issuer;
  std::string jwt_audience;
  std::string jwt_private_key_file;
  bool jwt_generate_key = true;  // false: a missing key file is a start-up error (replicas)
  std::chrono::seconds jwt_ttl{900};
  std::optional<std::string> admin_email;  // normalised
  std::optional<std::string> admin_password;
  ThrottlePolicy login_throttle;
  int password_hash_concurrency = 1;  // argon2id hashes at once (19 MiB each)
};

inline constexpr std::string_view kSummary =
    "users-service: registration, login (RS256 JWT) and profiles for Comanda.";

/// The service's configuration table.
Config LoadConfig(core::ConfigReader& reader);

}  // namespace comanda::users
