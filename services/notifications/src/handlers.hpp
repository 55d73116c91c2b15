#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "comanda/auth/token.hpp"
#include "comanda/http/request.hpp"
#include "comanda/http/response.hpp"
#include "notification_repository.hpp"

namespace comanda::notifications {

/// `{"items": [{"id", "orderId", "message", "createdAt"}]}`.
nlohmann::json ToJson(const std::vector<Notification>& notifications);

/// GET /notifications (Bearer): the caller's notifications, newest first.
class ListNotifications final {
 public:
  ListNotifications(NotificationRepository& notifications, const auth::Verifier& verifier)
      : notifications_{notifications}, verifier_{verifier} {}
  http::Response operator()(const http::Request& request) const;

 private:
  NotificationRepository& notifications_;
  const auth::Verifier& verifier_;
};

}  // namespace comanda::notifications
