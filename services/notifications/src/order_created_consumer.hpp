#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>

#include "comanda/bus/consumer.hpp"
#include "comanda/bus/publisher.hpp"
#include "comanda/core/metrics.hpp"
#include "comanda/core/worker.hpp"
#include "processor.hpp"

namespace comanda::notifications {

struct ConsumerSettings {
  bus::ConnectOptions connect;
  int prefetch = 20;
  RetryPolicy retry;
};

/// A consumer, a core::Task: two connections of its own (one consuming
/// `notifications.order-created`, one publishing to the retry queue and the DLQ with confirms),
/// the topology declared on every connect. Each step takes one delivery, hands it to
/// EventProcessor::Process and acks it only after that stored or republished it; a broker failure
/// drops both connections (the worker reconnects with backoff).
///
/// While the database is unavailable the consumer pauses: it keeps the delivery in hand unacked
/// (and the prefetched ones behind it), probes `database_up` with backoff (100 ms doubling to 5 s)
/// and, once it answers, processes the same delivery again. The message's retry budget is left for
/// failures of the message itself. Heartbeats are off on our AMQP connections, so a long pause
/// does not cost the connection.
class OrderCreatedConsumer final : public core::Task {
 public:
  /// `database_up` is a cheap probe (`SELECT 1`) used while paused.
  OrderCreatedConsumer(ConsumerSettings settings, NotificationStore& store,
                       std::function<bool()> database_up, core::metrics::Registry& registry);

  void Step(std::stop_token stop) override;
  std::string_view Recover(const std::exception& error) noexcept override;
  void Stopped() noexcept override { Disconnect(); }

  /// True while the consuming connection is up (for /ready and the metric).
  bool connected() const noexcept { return connected_.load(); }
  /// True while paused for the database (for the metric).
  bool paused() const noexcept { return paused_.load(); }

 private:
  void Connect();
  void Disconnect() noexcept;
  /// Waits for the database and processes `delivery` again until it is handled; nullopt when
  /// `stop` came first (the delivery is then left unacked, and the broker hands it out again).
  std::optional<EventProcessor::Outcome> WaitForDatabase(std::stop_token stop,
                                                         const bus::Delivery& delivery);

  ConsumerSettings settings_;
  std::function<bool()> database_up_;
  bus::Consumer consumer_;
  bus::Publisher publisher_;
  EventProcessor processor_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> paused_{false};
  core::metrics::Counter& pauses_;
};

}  // namespace comanda::notifications
