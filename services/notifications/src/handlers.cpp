#include "handlers.hpp"

#include "comanda/core/time.hpp"
#include "status_events.hpp"

namespace comanda::notifications {

nlohmann::json ToJson(const std::vector<Notification>& notifications) {
  auto items = nlohmann::json::array();
  for (const auto& n : notifications) {
    // The structured fields let the UI word the notification in its own language; `message` is
    // the contract's (Spanish) text.
    items.push_back({{"id", n.id},
                     {"orderId", n.order_id},
                     {"orderRef", ShortReference(n.order_id)},
                     {"message", n.message},
                     {"createdAt", core::FormatRfc3339(n.created_at)},
                     {"state", n.state},
                     {"sequence", n.sequence},
                     {"reason", n.reason ? nlohmann::json(*n.reason) : nullptr},
                     {"occurredAt", core::FormatRfc3339(n.occurred_at)}});
  }
  return {{"items", std::move(items)}};
}

http::Response ListNotifications::operator()(const http::Request& request) const {
  const auto claims = verifier_.VerifyBearer(request.Header("Authorization"));
  return http::Json(200, ToJson(notifications_.ListForUser(claims.sub)));
}

}  // namespace comanda::notifications
