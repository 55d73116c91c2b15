#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <stop_token>

#include "comanda/bus/consumer.hpp"
#include "comanda/bus/publisher.hpp"
#include "comanda/core/metrics.hpp"
#include "processor.hpp"

namespace comanda::notifications {

struct ConsumerSettings {
  bus::ConnectOptions connect;
  int prefetch = 20;
  RetryPolicy retry;
};

/// The consumer thread: two connections of its own (one consuming `notifications.order-created`,
/// one publishing to the retry queue and the DLQ with confirms), the topology declared on every
/// connect, and a reconnect with backoff (100 ms doubling to 5 s) while RabbitMQ is away. Each
/// delivery is acked only after the EventProcessor has stored it or republished it.
class OrderCreatedConsumer {
 public:
  /// `ready` says when the database schema exists; nothing is consumed before.
  OrderCreatedConsumer(ConsumerSettings settings, NotificationStore& store,
                       std::function<bool()> ready, metrics::Registry& registry);

  /// Runs until `stop` is requested. Run it on its own thread.
  void Run(std::stop_token stop);

  /// True while the consuming connection is up (for /ready and the metric).
  bool connected() const noexcept { return connected_.load(); }

 private:
  void Connect();
  void Disconnect() noexcept;

  ConsumerSettings settings_;
  std::function<bool()> ready_;
  bus::Consumer consumer_;
  bus::Publisher publisher_;
  EventProcessor processor_;
  std::atomic<bool> connected_{false};
};

}  // namespace comanda::notifications
