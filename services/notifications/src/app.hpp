#pragma once

#include <vector>

#include "comanda/http/server.hpp"
#include "handlers.hpp"

namespace comanda::notifications {

/// notifications-service's route table, built from injected dependencies.
class App {
 public:
  App(NotificationRepository& notifications, const auth::Verifier& verifier);
  std::vector<http::Route> Routes() const;

 private:
  ListNotifications list_;
};

}  // namespace comanda::notifications
