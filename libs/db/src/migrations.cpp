#include "comanda/db/migrations.hpp"

#include <pqxx/pqxx>

#include "comanda/core/log.hpp"

namespace comanda::db {

int Migrate(pqxx::connection& connection, const std::vector<Migration>& migrations) {
  // Any constant works as the lock key as long as each service has its own database.
  constexpr long long kMigrationLock = 727274;
  int applied = 0;
  for (const auto& migration : migrations) {
    pqxx::work transaction{connection};
    transaction.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
    transaction.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    const auto done = transaction.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1",
                                              migration.version);
    if (!done.empty()) continue;  // the transaction rolls back: nothing was changed
    transaction.exec(migration.sql);
    transaction.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                            migration.version, migration.name);
    transaction.commit();
    core::log::Info("migration applied",
                    {{"version", migration.version}, {"name", migration.name}});
    ++applied;
  }
  return applied;
}

}  // namespace comanda::db
