#pragma once

#include <chrono>
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
/// administrator) or sent an error. An idle connection that listens for nothing never has anything
/// to read. libpqxx 6.4 leaks a result when a statement runs on a connection the server closed,
/// so a connection that sat idle is checked before it is used.
bool StillOpen(const pqxx::connection& connection) noexcept;

/// A connection of its own for a long-running worker (the outbox relay, the pruner), beside the
/// request pool: opened on first use with its prepared statements (and a LISTEN when `channel` is
/// given), reopened after Reset() or when the server closed it while idle. Not thread-safe: one
/// worker thread owns it.
class Connection {
 public:
  Connection(std::string url, std::vector<Statement> statements, std::string channel = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// The open connection, (re)connecting first when needed. Without a channel an idle connection
  /// is checked with StillOpen(); with one, input is expected (notifications), and a closed
  /// connection shows up as an error of the next statement or wait.
  pqxx::connection& Get();
  /// Drops the connection after an error; the next Get() opens a new one.
  void Reset() noexcept;
  /// Waits up to `timeout` for a notification on the channel; true when one came. Connects first.
  bool AwaitNotification(std::chrono::microseconds timeout);

 private:
  class Listener;
  std::string url_;
  std::vector<Statement> statements_;
  std::string channel_;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<Listener> listener_;  // reset before connection_
};

}  // namespace comanda::db
