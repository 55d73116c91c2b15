#include "comanda/db/connection.hpp"

#include <poll.h>

#include <pqxx/pqxx>

namespace comanda::db {

std::unique_ptr<pqxx::connection> Open(const std::string& url,
                                       const std::vector<Statement>& statements) {
  auto connection = std::make_unique<pqxx::connection>(url);
  for (const auto& statement : statements) connection->prepare(statement.name, statement.sql);
  return connection;
}

bool StillOpen(const pqxx::connection& connection) noexcept {
  pollfd check{connection.sock(), POLLIN, 0};
  return check.fd >= 0 && ::poll(&check, 1, 0) == 0;
}

Connection::Connection(std::string url, std::vector<Statement> statements)
    : url_{std::move(url)}, statements_{std::move(statements)} {}

Connection::~Connection() { Reset(); }

pqxx::connection& Connection::Get() {
  if (connection_ && StillOpen(*connection_)) return *connection_;
  Reset();
  connection_ = Open(url_, statements_);
  return *connection_;
}

void Connection::Reset() noexcept { connection_.reset(); }

}  // namespace comanda::db
