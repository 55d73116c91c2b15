#pragma once

#include <exception>
#include <pqxx/errorhandler>
#include <string_view>

namespace comanda::db {

/// The one answer to "is the database unavailable?" (as opposed to "is this statement or its data
/// wrong?"). True for core::Error with kUnavailable (what db::Pool reports), a broken connection,
/// a commit or statement whose outcome is unknown, and an SQL error whose SQLSTATE says so (see
/// IsUnavailableSqlState). Everything else, known or not, is false. The pool retries and answers
/// 503 on it; workers reconnect on it; the notifications consumer pauses on it instead of
/// spending a message's retries.
bool IsUnavailable(const std::exception& error) noexcept;

/// True for a whole SQLSTATE of class 08 (connection exception), 53 (insufficient resources), 57
/// (operator intervention: shutdown, cancel, statement timeout) or 58 (system error).
bool IsUnavailableSqlState(std::string_view sqlstate) noexcept;

/// True for PostgreSQL's warning that a commit stopped waiting for its synchronous standby (a
/// cancel came first; the statement timeout is off by then): the transaction is committed on the
/// primary only, and lost with it if the standby is promoted, yet the statement reports success.
bool IsUnreplicatedCommitNotice(std::string_view message) noexcept;

/// While it lives, watches one connection's notices for IsUnreplicatedCommitNotice. Check() then
/// throws pqxx::in_doubt_error: the write must not be acknowledged as durable. Must not outlive the
/// connection.
class UnreplicatedCommitWatch final : public pqxx::errorhandler {
 public:
  explicit UnreplicatedCommitWatch(pqxx::connection_base& connection)
      : pqxx::errorhandler{connection} {}
  bool operator()(const char message[]) noexcept override;
  void Check() const;

 private:
  bool seen_ = false;
};

}  // namespace comanda::db
