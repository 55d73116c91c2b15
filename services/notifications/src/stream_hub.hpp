#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

#include "comanda/core/metrics.hpp"
#include "comanda/core/worker.hpp"
#include "comanda/http/stream.hpp"
#include "live_events.hpp"
#include "stream_event_repository.hpp"

namespace comanda::notifications {

/// An open GET /notifications/stream.
struct Subscriber {
  std::shared_ptr<http::Stream> stream;
  Audience audience;
  std::optional<std::int64_t> last_event_id;      // Last-Event-ID: replay what came after it
  std::chrono::system_clock::time_point expires;  // the token's exp: the stream ends then
};

struct HubSettings {
  std::chrono::milliseconds heartbeat{15'000};
  std::chrono::milliseconds retry{2000};  // the SSE reconnect delay told to clients
  int max_streams = 10'000;
  std::chrono::seconds retention{24 * 3600};
};

/// Writes every open stream of this replica from one thread (no thread per stream; the writes are
/// queued to the I/O threads). It reads `stream_events` after the highest id it has sent: at once
/// and every few milliseconds for a while after Notify() (an event reached the exchange, so its
/// row is about to commit), otherwise once a second. Each new stream first gets what came after
/// its Last-Event-ID, then the live events: both from the same rows, so nothing is lost or
/// repeated across a reconnect.
class StreamHub : public core::Task {
 public:
  StreamHub(StreamEventSource& source, HubSettings settings, core::metrics::Registry& registry);
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  /// False when this replica already holds max_streams (the caller answers 503).
  bool HasRoom() const noexcept;
  /// Takes a stream over; it is written on the hub's thread.
  void Add(Subscriber subscriber);
  /// An event was published: look for new rows now.
  void Notify();
  /// One pass, then the wait it asks for (cut short by Notify() or a new stream); run again and
  /// again by a core::Worker once the schema exists. Stopped() closes every stream, also those
  /// opened while the database never came up.
  void Step(std::stop_token stop) override;
  std::string_view Recover(const std::exception& error) noexcept override;
  void Stopped() noexcept override;
  /// One pass: new rows to the streams, new streams started, heartbeats, expiry, closed streams
  /// dropped. Returns how long to wait before the next pass (0: more rows are waiting).
  std::chrono::milliseconds Pass();
  /// Closes every stream.
  void CloseAll();
  std::size_t open_streams() const noexcept { return open_.load(); }

 private:
  using Clock = std::chrono::steady_clock;
  void Start(Subscriber& subscriber);
  bool Deliver();  // true when more rows may be waiting
  void Housekeep(Clock::time_point now);

  StreamEventSource& source_;
  HubSettings settings_;
  core::metrics::Counter& sent_;
  std::atomic<std::size_t> open_{0};

  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::vector<Subscriber> pending_;  // guarded by mutex_
  Clock::time_point hot_until_{};    // guarded by mutex_
  bool notified_ = false;            // guarded by mutex_

  // The hub thread's own:
  std::vector<Subscriber> active_;
  bool started_ = false;  // last_id_ read
  std::int64_t last_id_ = 0;
  Clock::time_point next_heartbeat_{};
  Clock::time_point next_prune_{};
};

}  // namespace comanda::notifications
