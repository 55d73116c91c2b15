#include "stream_handler.hpp"

#include "comanda/core/error.hpp"

namespace comanda::notifications {

http::Response OpenStream::operator()(const http::Request& request) const {
  const auto claims = verifier_.VerifyBearer(request.Header("Authorization"));
  const auto last_event_id = ParseLastEventId(request.Header("Last-Event-ID"));
  if (!hub_.HasRoom()) {
    throw core::Error{core::Errc::kUnavailable, "Too many open streams on this replica."}.WithCode(
        "TOO_MANY_STREAMS");
  }
  Subscriber subscriber{nullptr,
                        {claims.sub, IsStaffRole(claims.role)},
                        last_event_id,
                        std::chrono::system_clock::time_point{std::chrono::seconds{claims.exp}}};
  auto& hub = hub_;
  return http::StreamOf("text/event-stream; charset=utf-8",
                        [&hub, subscriber = std::move(subscriber)](
                            std::shared_ptr<http::Stream> stream) mutable {
                          subscriber.stream = std::move(stream);
                          hub.Add(std::move(subscriber));
                        })
      .Header("Cache-Control", "no-cache, no-store")
      // nginx: do not buffer this response whatever the location says.
      .Header("X-Accel-Buffering", "no");
}

}  // namespace comanda::notifications
