#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace comanda::notifications {

/// One row of `stream_events`: what GET /notifications/stream sends. `id` is the SSE event id,
/// increasing in commit order (migrations/003_stream_events.sql).
struct StreamEvent {
  enum class Kind { kNotification, kStatus };
  std::int64_t id = 0;
  Kind kind = Kind::kNotification;
  std::string user_id;
  std::string order_id;
  std::string state;
  int sequence = 1;
  std::chrono::system_clock::time_point occurred_at;
  // For a notification only (from the notifications row):
  std::string notification_id;
  std::string message;
  std::optional<std::string> reason;
  std::chrono::system_clock::time_point created_at;
};

/// Who a stream is for.
struct Audience {
  std::string user_id;
  bool staff = false;  // role staff or admin: every order's status changes too
};

/// Staff (role `staff` or `admin`) see every order's moves.
bool IsStaffRole(std::string_view role) noexcept;

/// A customer sees their own notifications and their own orders' moves (the order page's
/// timeline shows PREPARING too, which makes no notification); staff also every order's moves.
bool Visible(const StreamEvent& event, const Audience& audience) noexcept;

/// The `Last-Event-ID` header: "" is none; otherwise decimal digits of a non-negative id.
/// Throws core::Error{kBadRequest, INVALID_LAST_EVENT_ID} for anything else.
std::optional<std::int64_t> ParseLastEventId(std::string_view header);

/// The SSE frame of an event: `id:`, `event:` (notification | status) and one `data:` line of
/// JSON (the notification as GET /notifications lists it, or the order's move).
std::string SseFrame(const StreamEvent& event);
/// The first frame of every stream: the reconnect delay and the id the stream is at now, so a
/// client that saw nothing else still resumes from here.
std::string ReadyFrame(std::int64_t last_event_id, std::chrono::milliseconds retry);
/// A comment line: keeps proxies and RESTinio's idle limit from closing a quiet stream.
std::string HeartbeatFrame();
/// Sent just before the stream is closed because the token expired.
std::string ExpiredFrame();

}  // namespace comanda::notifications
