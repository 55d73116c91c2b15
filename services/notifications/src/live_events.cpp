#include "live_events.hpp"

#include <nlohmann/json.hpp>

#include "comanda/core/error.hpp"
#include "comanda/core/time.hpp"
#include "status_events.hpp"

namespace comanda::notifications {

bool IsStaffRole(std::string_view role) noexcept { return role == "staff" || role == "admin"; }

bool Visible(const StreamEvent& event, const Audience& audience) noexcept {
  if (event.kind == StreamEvent::Kind::kStatus && audience.staff) return true;
  return event.user_id == audience.user_id;
}

std::optional<std::int64_t> ParseLastEventId(std::string_view header) {
  if (header.empty()) return std::nullopt;
  std::int64_t value = 0;
  constexpr std::int64_t kMax = 999'999'999'999'999'999;  // 18 digits: no overflow
  for (const char c : header) {
    if (c < '0' || c > '9' || value > kMax / 10) {
      throw core::Error{core::Errc::kBadRequest,
                        "Last-Event-ID must be an event id this stream sent (decimal digits)."}
          .WithCode("INVALID_LAST_EVENT_ID");
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string SseFrame(const StreamEvent& event) {
  nlohmann::json data;
  const bool note = event.kind == StreamEvent::Kind::kNotification;
  if (note) {
    data = {{"id", event.notification_id},
            {"orderId", event.order_id},
            {"orderRef", ShortReference(event.order_id)},
            {"message", event.message},
            {"createdAt", core::FormatRfc3339(event.created_at)},
            {"state", event.state},
            {"sequence", event.sequence},
            {"reason", event.reason ? nlohmann::json(*event.reason) : nullptr},
            {"occurredAt", core::FormatRfc3339(event.occurred_at)}};
  } else {
    data = {{"orderId", event.order_id},  {"orderRef", ShortReference(event.order_id)},
            {"userId", event.user_id},    {"state", event.state},
            {"sequence", event.sequence}, {"occurredAt", core::FormatRfc3339(event.occurred_at)}};
  }
  // dump() escapes control characters, so the JSON is one line: one data field.
  return "id: " + std::to_string(event.id) + "\nevent: " + (note ? "notification" : "status") +
         "\ndata: " + data.dump() + "\n\n";
}

std::string ReadyFrame(std::int64_t last_event_id, std::chrono::milliseconds retry) {
  const auto id = std::to_string(last_event_id);
  return "retry: " + std::to_string(retry.count()) + "\nid: " + id +
         "\nevent: ready\ndata: {\"lastEventId\":\"" + id + "\"}\n\n";
}

std::string HeartbeatFrame() { return ": heartbeat\n\n"; }

std::string ExpiredFrame() { return "event: expired\ndata: {}\n\n"; }

}  // namespace comanda::notifications
