#include "user_repository.hpp"

#include "comanda/core/error.hpp"
#include "comanda/core/ids.hpp"

namespace comanda::users {
namespace {

constexpr auto kInsert = "users_insert";
constexpr auto kByEmail = "users_by_email";
constexpr auto kById = "users_by_id";
constexpr auto kSetRole = "users_set_role";

// The columns ToUser() reads, in its order.
constexpr std::string_view kUserColumns =
    "id::text, email, name, role, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

std::string Sql(std::string_view before, std::string_view after = {}) {
  std::string sql{before};
  sql.append(kUserColumns).append(after);
  return sql;
}

User ToUser(const pqxx::row& row) {
  return User{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
              row[3].as<std::string>(), row[4].as<std::string>()};
}

}  // namespace

std::vector<db::Statement> Statements() {
  return {
      {kInsert,
       Sql("INSERT INTO users (id, email, name, password_hash, role) VALUES ($1, $2, $3, $4, "
           "'customer') RETURNING ")},
      {kByEmail, Sql("SELECT ", ", password_hash FROM users WHERE email = $1")},
      {kById, Sql("SELECT ", " FROM users WHERE id = $1::uuid")},
      {kSetRole,
       Sql("UPDATE users SET role = CASE WHEN role = 'admin' THEN role ELSE $2 END WHERE id = "
           "$1::uuid RETURNING ")},
  };
}

User UserRepository::Create(const Registration& registration, const std::string& password_hash) {
  try {
    return db_.Transact([&](pqxx::work& tx) {
      const auto rows = tx.exec_prepared(kInsert, core::NewUuid(), registration.email,
                                         registration.name, password_hash);
      return ToUser(rows.at(0));
    });
  } catch (const pqxx::unique_violation&) {
    throw core::Error{core::Errc::kConflict, "An account with this email already exists."}.WithCode(
        "EMAIL_TAKEN");
  }
}

std::optional<StoredUser> UserRepository::FindByEmail(const std::string& email) {
  return db_.Run([&](pqxx::connection& connection) -> std::optional<StoredUser> {
    pqxx::nontransaction tx{connection};
    const auto rows = tx.exec_prepared(kByEmail, email);
    if (rows.empty()) return std::nullopt;
    return StoredUser{ToUser(rows[0]), rows[0][5].as<std::string>()};
  });
}

std::optional<User> UserRepository::FindById(const std::string& id) {
  if (!core::IsUuid(id)) return std::nullopt;
  return db_.Run([&](pqxx::connection& connection) -> std::optional<User> {
    pqxx::nontransaction tx{connection};
    const auto rows = tx.exec_prepared(kById, id);
    if (rows.empty()) return std::nullopt;
    return ToUser(rows[0]);
  });
}

std::optional<User> UserRepository::SetRole(const std::string& id, const std::string& role) {
  if (!core::IsUuid(id)) return std::nullopt;
  auto user = db_.Run([&](pqxx::connection& connection) -> std::optional<User> {
    pqxx::nontransaction tx{connection};
    const auto rows = tx.exec_prepared(kSetRole, id, role);
    if (rows.empty()) return std::nullopt;
    return ToUser(rows[0]);
  });
  if (user && user->role == "admin") {
    throw core::Error{core::Errc::kConflict, "An admin's role cannot be changed here."}.WithCode(
        "ADMIN_ROLE_FIXED");
  }
  return user;
}

void UserRepository::UpsertAdmin(pqxx::connection& connection, const std::string& email,
                                 const std::string& password_hash) {
  pqxx::work tx{connection};
  tx.exec_params(
      "INSERT INTO users (id, email, name, password_hash, role) VALUES ($1, $2, 'Administrator', "
      "$3, 'admin') "
      "ON CONFLICT (email) DO UPDATE SET role = 'admin', password_hash = EXCLUDED.password_hash",
      core::NewUuid(), email, password_hash);
  tx.commit();
}

}  // namespace comanda::users
