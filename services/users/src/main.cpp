// users-service: wiring only. Everything it wires is in users_lib and the shared libraries.
#include <iostream>

#include "app.hpp"
#include "comanda/db/pool.hpp"
#include "comanda/http/server.hpp"
#include "config.hpp"

namespace comanda::users {
const std::vector<db::Migration>& Migrations();  // generated from migrations/*.sql
}

int main(int argc, char* argv[]) {
  using namespace comanda;
  const auto config =
      core::LoadConfigOrExit<users::Config>(argc, argv, users::kSummary, users::LoadConfig);
  http::Runtime runtime{config.common};

  std::optional<auth::SigningKey> key;
  try {
    key = config.jwt_generate_key ? auth::SigningKey::LoadOrCreate(config.jwt_private_key_file)
                                  : auth::SigningKey::Load(config.jwt_private_key_file);
  } catch (const std::exception& e) {
    std::cerr << "config error: JWT_PRIVATE_KEY_FILE: " << e.what() << '\n';
    return 2;
  }

  auto statements = users::Statements();
  for (auto& statement : users::LoginThrottle::Statements()) statements.push_back(statement);
  db::Pool db{db::WithDefaultParameters(config.database_url, "users-service"),
              static_cast<std::size_t>(config.common.worker_threads), std::move(statements)};
  users::UserRepository repository{db};
  users::LoginThrottle throttle{db, config.login_throttle};
  const users::PasswordHasher passwords{config.password_hash_concurrency};
  const users::PasswordQuality quality;
  auth::StaticKeys keys{{&*key}};
  const auth::Verifier verifier{keys, {config.jwt_issuer, config.jwt_audience}};
  const users::App app{config, repository, throttle, passwords, quality, *key, verifier};

  const auto admin_hash = config.admin_password ? passwords.Hash(*config.admin_password) : "";
  db.InitializeInBackground(
      users::Migrations(), [&config, admin_hash](pqxx::connection& connection) {
        if (config.admin_email) {
          users::UserRepository::UpsertAdmin(connection, *config.admin_email, admin_hash);
        }
      });
  return runtime.Serve(app.Routes(), {{"postgres", [&db] { return db.Ping(); }}});
}
