#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "comanda/bus/consumer.hpp"
#include "comanda/bus/publisher.hpp"
#include "comanda/core/metrics.hpp"
#include "events.hpp"
#include "retry.hpp"
#include "status_events.hpp"

namespace comanda::notifications {

inline constexpr std::string_view kOrdersExchange = "orders";
inline constexpr std::string_view kOrderCreatedKey = "order.created";
/// The work queue is bound to both routing keys: one retry and dead-letter path for both events.
inline constexpr std::string_view kWorkQueue = "notifications.order-created";
inline constexpr std::string_view kRetryQueue = "notifications.order-created.retry";
inline constexpr std::string_view kDeadLetterQueue = "notifications.order-created.dlq";

/// Where notifications are kept. Store() is one transaction; it throws on any failure.
class NotificationStore {
 public:
  /// kStale: a status event that changes nothing (not newer than the order's known state).
  enum class Result { kStored, kDuplicate, kStale };
  virtual ~NotificationStore() = default;
  virtual Result Store(const OrderCreated& event, const std::string& text) = 0;
  /// Advances the order's known state when the event is newer (never back), and stores a
  /// notification once per eventId when its state is customer-facing (kDuplicate: already
  /// stored). A PREPARING event not newer than the known state is kStale.
  virtual Result StoreStatus(const OrderStatusChanged& event, const std::string& text) = 0;
};

/// Publishes with broker confirms; throws bus::BrokerError when the broker did not take it.
using Republish = std::function<void(const bus::Message&)>;

/// The copy of a failed delivery for the retry queue: same body and properties, `x-attempt` =
/// `next_attempt`, per-message TTL `delay` (it dead-letters back to the work queue on expiry).
bus::Message RetryMessage(const bus::Delivery& delivery, int next_attempt,
                          std::chrono::milliseconds delay, std::string_view last_error);

/// The copy of a delivery for the DLQ, with `x-error-code` and `x-error-reason`.
bus::Message DeadLetterMessage(const bus::Delivery& delivery, std::string_view code,
                               std::string_view reason);

/// Decides what happens to one delivery and does it; the caller acks it afterwards (every
/// outcome but kDatabaseUnavailable means the message is safe: stored, known already, or
/// republished with a confirm). kDatabaseUnavailable (see db::IsUnavailable) means nothing was
/// done: the caller keeps the delivery unacked, waits for the database and calls ProcessAgain().
/// Throws bus::BrokerError when a republish failed: then the delivery must not be acked.
class EventProcessor {
 public:
  enum class Outcome { kStored, kDuplicate, kRetried, kDeadLettered, kDatabaseUnavailable };

  EventProcessor(NotificationStore& store, Republish republish, RetryPolicy policy,
                 core::metrics::Registry& registry);

  /// A delivery just taken from the queue.
  Outcome Process(const bus::Delivery& delivery);
  /// The same delivery once more after kDatabaseUnavailable (not counted as consumed again).
  Outcome ProcessAgain(const bus::Delivery& delivery);
  /// The error behind the last kDatabaseUnavailable, for the log.
  const std::string& unavailable_error() const noexcept { return unavailable_error_; }

 private:
  Outcome Handle(const bus::Delivery& delivery);
  Outcome HandleStatus(const bus::Delivery& delivery);
  /// Records the time from the event's occurredAt to its stored notification.
  void ObserveLatency(std::chrono::system_clock::time_point occurred_at);
  /// Runs `store` with the retry / dead-letter / pause rules; kStored when a new row was made.
  Outcome Persist(const bus::Delivery& delivery, const std::string& event_id,
                  const std::string& order_id, int attempt,
                  const std::function<NotificationStore::Result()>& store);
  Outcome DeadLetter(const bus::Delivery& delivery, std::string_view code, std::string_view reason);

  NotificationStore& store_;
  Republish republish_;
  RetryPolicy policy_;
  core::metrics::Counter& consumed_;
  core::metrics::Counter& stored_;
  core::metrics::Counter& duplicates_;
  core::metrics::Counter& retried_;
  core::metrics::Counter& dead_lettered_;
  core::metrics::Counter& stale_;
  core::metrics::Histogram& latency_;
  std::string unavailable_error_;
};

std::string_view ToString(EventProcessor::Outcome outcome) noexcept;

}  // namespace comanda::notifications
