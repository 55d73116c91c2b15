#include "comanda/db/connection.hpp"

#include <poll.h>

#include <pqxx/notification>
#include <pqxx/pqxx>

namespace comanda::db {

// Only wakes await_notification(); the worker reads its tables, not the payload.
class Connection::Listener final : public pqxx::notification_receiver {
 public:
  Listener(pqxx::connection& connection, const std::string& channel)
      : notification_receiver{connection, channel} {}
  void operator()(const std::string&, int) override {}
};

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

Connection::Connection(std::string url, std::vector<Statement> statements, std::string channel)
    : url_{std::move(url)}, statements_{std::move(statements)}, channel_{std::move(channel)} {}

Connection::~Connection() { Reset(); }

pqxx::connection& Connection::Get() {
  if (connection_ && (!channel_.empty() || StillOpen(*connection_))) return *connection_;
  Reset();
  auto connection = Open(url_, statements_);
  if (!channel_.empty()) listener_ = std::make_unique<Listener>(*connection, channel_);
  connection_ = std::move(connection);
  return *connection_;
}

void Connection::Reset() noexcept {
  listener_.reset();
  connection_.reset();
}

bool Connection::AwaitNotification(std::chrono::microseconds timeout) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  return Get().await_notification(static_cast<long>(seconds.count()),
                                  static_cast<long>((timeout - seconds).count())) > 0;
}

}  // namespace comanda::db
