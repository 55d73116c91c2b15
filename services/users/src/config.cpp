#include "config.hpp"

#include <algorithm>
#include <thread>

#include "comanda/auth/token.hpp"
#include "passwords.hpp"
#include "users.hpp"

namespace comanda::users {
namespace {

// More hashes at once than cores gives no more logins per second, only more memory.
int DefaultHashConcurrency() {
  const auto most = static_cast<unsigned>(PasswordHasher::kMaxConcurrency);
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1U, most));
}

}  // namespace

Config LoadConfig(core::ConfigReader& reader) {
  Config config;
  config.common = core::ReadCommonConfig(reader, "users-service", 3001);
  config.database_url =
      reader.Url("DATABASE_URL", "postgresql://users:users@localhost:5432/users",
                 {"postgresql", "postgres"}, "PostgreSQL URL of the users database");
  auto scope = auth::ReadIssuerAndAudience(reader);
  config.jwt_issuer = std::move(scope.issuer);
  config.jwt_audience = std::move(scope.audience);
  config.jwt_private_key_file =
      reader.String("JWT_PRIVATE_KEY_FILE", "jwt-private-key.pem",
                    "PEM RSA private key; generated and saved there (mode 0600) when missing");
  config.jwt_generate_key =
      reader.OneOf("JWT_GENERATE_KEY", "true", {"true", "false"},
                   "false: never generate a key; a missing JWT_PRIVATE_KEY_FILE stops the start "
                   "(replicas must share one key)") == "true";
  config.jwt_ttl = std::chrono::seconds{
      reader.Int("JWT_TTL_SECONDS", 900, 60, 86400, "access token lifetime in seconds")};
  config.admin_email =
      reader.Optional("ADMIN_EMAIL", "bootstrap admin email (with ADMIN_PASSWORD)");
  config.admin_password =
      reader.Optional("ADMIN_PASSWORD", "bootstrap admin password, 8 to 128 characters");

  if (config.admin_email.has_value() != config.admin_password.has_value()) {
    reader.Fail(config.admin_email ? "ADMIN_PASSWORD" : "ADMIN_EMAIL",
                "must be set together with " +
                    std::string{config.admin_email ? "ADMIN_EMAIL" : "ADMIN_PASSWORD"});
  }
  if (config.admin_email) {
    auto email = NormalizeEmail(*config.admin_email);
    if (!IsValidEmail(email)) reader.Fail("ADMIN_EMAIL", "is not a valid email address");
    config.admin_email = std::move(email);
  }
  config.login_throttle.free_attempts =
      reader.Int("LOGIN_FREE_ATTEMPTS", 5, 1, 1000,
                 "login attempts on one account, within LOGIN_WINDOW_S, before any delay");
  config.login_throttle.max_delay = std::chrono::seconds{
      reader.Int("LOGIN_MAX_DELAY_S", 60, 1, 3600,
                 "the longest wait between attempts on one account (2, 4, 8 ... s up to it)")};
  config.login_throttle.window = std::chrono::seconds{reader.Int(
      "LOGIN_WINDOW_S", 900, 10, 86400, "an account's attempts are forgotten after this")};
  config.password_hash_concurrency =
      reader.Int("PASSWORD_HASH_CONCURRENCY", DefaultHashConcurrency(), 1,
                 static_cast<int>(PasswordHasher::kMaxConcurrency),
                 "argon2id hashes (register, login) run at once; each holds 19 MiB while it runs "
                 "[the CPU cores]");
  if (config.admin_password && !IsValidPassword(*config.admin_password)) {
    reader.Fail("ADMIN_PASSWORD", "must be 8 to 128 characters");
  }
  return config;
}

}  // namespace comanda::users
