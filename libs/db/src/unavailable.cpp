#include "comanda/db/unavailable.hpp"

#include <pqxx/pqxx>

#include "comanda/core/error.hpp"

namespace comanda::db {

bool IsUnavailableSqlState(std::string_view sqlstate) noexcept {
  if (sqlstate.size() != 5) return false;
  const auto kind = sqlstate.substr(0, 2);
  return kind == "08" || kind == "53" || kind == "57" || kind == "58";
}

bool IsUnavailable(const std::exception& error) noexcept {
  if (const auto* core_error = dynamic_cast<const core::Error*>(&error)) {
    return core_error->errc() == core::Errc::kUnavailable;
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr ||
      dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr ||
      dynamic_cast<const pqxx::statement_completion_unknown*>(&error) != nullptr) {
    return true;
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
    return IsUnavailableSqlState(sql->sqlstate());
  }
  return false;
}

}  // namespace comanda::db
