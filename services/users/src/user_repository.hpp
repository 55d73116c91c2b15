#pragma once

#include <optional>
#include <string>
#include <vector>

#include "comanda/db/pool.hpp"
#include "users.hpp"

namespace comanda::users {

/// A user row with its password hash, for login only.
struct StoredUser {
  User user;
  std::string password_hash;
};

/// The prepared statements of users-service.
std::vector<db::Statement> Statements();

/// The `users` table.
class UserRepository {
 public:
  explicit UserRepository(db::Pool& db) : db_{db} {}

  /// Inserts a customer; throws core::Error{kConflict, EMAIL_TAKEN} when the email exists.
  User Create(const Registration& registration, const std::string& password_hash);
  std::optional<StoredUser> FindByEmail(const std::string& email);
  std::optional<User> FindById(const std::string& id);
  /// Sets a customer's or staff member's role; nullopt for an unknown id. Throws
  /// core::Error{kConflict, ADMIN_ROLE_FIXED} for an admin.
  std::optional<User> SetRole(const std::string& id, const std::string& role);

  /// Creates the admin account, or makes an existing account with that email an admin with this
  /// password. Runs during start-up on the initializing connection.
  static void UpsertAdmin(pqxx::connection& connection, const std::string& email,
                          const std::string& password_hash);

 private:
  db::Pool& db_;
};

}  // namespace comanda::users
