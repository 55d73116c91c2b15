#pragma once

#include <atomic>
#include <functional>
#include <stop_token>
#include <string>

#include "comanda/bus/consumer.hpp"
#include "comanda/core/metrics.hpp"
#include "comanda/core/worker.hpp"

namespace comanda::notifications {

/// This replica's own subscription to the `orders` exchange, for its SSE streams: an exclusive,
/// auto-delete queue (named after a fresh UUID) bound to every order event, on a connection and
/// thread of its own, reconnecting with backoff. The work queue hands each event to one replica;
/// this queue gives every replica every event. A message is only a wake-up call (`on_event`): what
/// a stream sends is read from the database, so a message lost here delays, never loses, an event.
class EventFanout : public core::Task {
 public:
  EventFanout(bus::ConnectOptions connect, std::function<void()> on_event,
              core::metrics::Registry& registry);
  EventFanout(const EventFanout&) = delete;
  EventFanout& operator=(const EventFanout&) = delete;

  /// Connects when not connected, then waits a moment for one message (a core::Worker repeats it).
  void Step(std::stop_token stop) override;
  std::string_view Recover(const std::exception& error) noexcept override;
  void Stopped() noexcept override;
  bool connected() const noexcept { return connected_.load(); }
  const std::string& queue() const noexcept { return queue_; }

 private:
  std::string queue_;
  std::function<void()> on_event_;
  bus::Consumer consumer_;
  std::atomic<bool> connected_{false};
};

}  // namespace comanda::notifications
