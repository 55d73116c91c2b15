#pragma once

#include <vector>

#include "comanda/http/server.hpp"
#include "handlers.hpp"
#include "stream_handler.hpp"

namespace comanda::notifications {

/// notifications-service's route table, built from injected dependencies.
class App {
 public:
  App(NotificationRepository& notifications, StreamHub& hub, const auth::Verifier& verifier);
  std::vector<http::Route> Routes() const;

 private:
  ListNotifications list_;
  OpenStream stream_;
};

}  // namespace comanda::notifications
