#pragma once

#include <pqxx/connection>
#include <string>
#include <vector>

namespace comanda::db {

/// One versioned schema change, embedded in the binary from `migrations/NNN_name.sql`.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

/// Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction,
/// under an advisory lock so that replicas starting together apply each one once.
/// Returns how many were applied.
int Migrate(pqxx::connection& connection, const std::vector<Migration>& migrations);

}  // namespace comanda::db
