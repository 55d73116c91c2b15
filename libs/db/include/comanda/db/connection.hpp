#pragma once

#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace comanda::db {

/// A named SQL statement, prepared on every connection that lists it.
struct Statement {
  std::string name;
  std::string sql;
};

/// Opens a connection to `url` and prepares `statements` on it. Throws on failure.
std::unique_ptr<pqxx::connection> Open(const std::string& url,
                                       const std::vector<Statement>& statements);

/// False when an idle connection has input waiting: the server closed it (a restart, an
/// administrator) or sent an error. An idle connection never has anything else to read. libpqxx 6.4
/// leaks a result when a statement runs on a connection the server closed, so a connection that sat
/// idle is checked before it is used.
bool StillOpen(const pqxx::connection& connection) noexcept;

/// A connection of its own for a long-running worker (the outbox relay, the pruner), beside the
/// request pool: opened on first use with its prepared statements, reopened after Reset() or when
/// the server closed it while idle. Not thread-safe: one worker thread owns it.
class Connection {
 public:
  Connection(std::string url, std::vector<Statement> statements);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// The open connection, (re)connecting first when needed (an idle one is checked with
  /// StillOpen()).
  pqxx::connection& Get();
  /// Drops the connection after an error; the next Get() opens a new one.
  void Reset() noexcept;

 private:
  std::string url_;
  std::vector<Statement> statements_;
  std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace comanda::db
