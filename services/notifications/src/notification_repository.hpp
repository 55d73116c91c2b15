#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "comanda/db/pool.hpp"
#include "processor.hpp"

namespace comanda::notifications {

/// What `GET /notifications` lists.
struct Notification {
  std::string id;
  std::string order_id;
  std::string message;
  std::chrono::system_clock::time_point created_at;
  std::string state;  // CREATED for the order's confirmation, else the state it moved to
  int sequence = 1;   // the order's version at that state
  std::optional<std::string> reason;
  std::chrono::system_clock::time_point occurred_at;
};

/// At most this many notifications are listed, newest first.
inline constexpr int kListLimit = 100;

/// The prepared statements of notifications-service.
std::vector<db::Statement> Statements();

/// The `notifications` table.
class NotificationRepository final : public NotificationStore {
 public:
  explicit NotificationRepository(db::Pool& db) : db_{db} {}

  /// Inserts the notification in one transaction; an eventId already stored is a duplicate.
  Result Store(const OrderCreated& event, const std::string& text) override;
  Result StoreStatus(const OrderStatusChanged& event, const std::string& text) override;
  /// A user's notifications, newest first.
  std::vector<Notification> ListForUser(const std::string& user_id);

 private:
  db::Pool& db_;
};

}  // namespace comanda::notifications
