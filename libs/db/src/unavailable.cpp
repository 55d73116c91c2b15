#include "comanda/db/unavailable.hpp"

#include <pqxx/pqxx>

#include "comanda/core/error.hpp"
#include "comanda/core/log.hpp"

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

bool IsUnreplicatedCommitNotice(std::string_view message) noexcept {
  // PostgreSQL's text (src/backend/replication/syncrep.c), with lc_messages in English (C in
  // scripts/cluster.sh); the notice carries no SQLSTATE of its own (01000).
  return message.find("canceling wait for synchronous replication") != std::string_view::npos;
}

bool UnreplicatedCommitWatch::operator()(const char message[]) noexcept {
  if (IsUnreplicatedCommitNotice(message)) seen_ = true;
  return true;  // the other handlers still see it
}

void UnreplicatedCommitWatch::Check() const {
  if (!seen_) return;
  core::log::Warn("a commit was not confirmed by the synchronous standby: answered as unknown", {});
  throw pqxx::in_doubt_error{"the commit was not confirmed by the synchronous standby"};
}

}  // namespace comanda::db
