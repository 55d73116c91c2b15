#include "processor.hpp"

#include "comanda/core/log.hpp"
#include "comanda/core/trace.hpp"
#include "comanda/db/unavailable.hpp"

namespace comanda::notifications {
namespace {

constexpr std::size_t kMaxReasonBytes = 500;

// Headers not copied from the original: those we set ourselves (or the Publisher derives), and the
// broker's own bookkeeping (x-delivery-count, x-death, ...), which is the broker's to set again.
bool Replaced(std::string_view name) {
  return name == "x-attempt" || name == "x-error-code" || name == "x-error-reason" ||
         name == "x-last-error" || name == "x-correlation-id" || name == "x-delivery-count" ||
         name.starts_with("x-death") || name.starts_with("x-first-death") ||
         name.starts_with("x-last-death");
}

std::string Clip(std::string_view text) {
  if (text.size() <= kMaxReasonBytes) return std::string{text};
  auto end = kMaxReasonBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // UTF-8 safe
  return std::string{text.substr(0, end)} + "...";
}

bus::Message CopyOf(const bus::Delivery& delivery, std::string_view queue) {
  bus::Message message;
  message.exchange = "";  // the default exchange routes by queue name
  message.routing_key = std::string{queue};
  message.body = delivery.body;
  const auto& in = delivery.properties;
  auto& out = message.properties;
  out.message_id = in.message_id;
  out.type = in.type;
  out.content_type = in.content_type;
  out.correlation_id = in.Header("x-correlation-id").value_or(in.correlation_id);
  out.timestamp = in.timestamp;
  out.persistent = true;
  for (const auto& [name, value] : in.headers) {
    if (!Replaced(name)) out.headers.emplace_back(name, value);
  }
  // Where the event was first published; a retried copy already says so.
  if (!in.Header("x-original-exchange")) {
    out.headers.emplace_back("x-original-exchange", delivery.exchange);
    out.headers.emplace_back("x-original-routing-key", delivery.routing_key);
  }
  return message;
}

std::vector<double> LatencyBounds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800};
}

}  // namespace

bus::Message RetryMessage(const bus::Delivery& delivery, int next_attempt,
                          std::chrono::milliseconds delay, std::string_view last_error) {
  auto message = CopyOf(delivery, kRetryQueue);
  auto& headers = message.properties.headers;
  headers.emplace_back("x-attempt", std::to_string(next_attempt));
  headers.emplace_back("x-last-error", Clip(last_error));
  message.properties.expiration = std::to_string(delay.count());
  return message;
}

bus::Message DeadLetterMessage(const bus::Delivery& delivery, std::string_view code,
                               std::string_view reason) {
  auto message = CopyOf(delivery, kDeadLetterQueue);
  auto& headers = message.properties.headers;
  if (const auto attempt = delivery.properties.Header("x-attempt")) {
    headers.emplace_back("x-attempt", *attempt);
  }
  headers.emplace_back("x-error-code", std::string{code});
  headers.emplace_back("x-error-reason", Clip(reason));
  return message;
}

EventProcessor::EventProcessor(NotificationStore& store, Republish republish, RetryPolicy policy,
                               core::metrics::Registry& registry)
    : store_{store},
      republish_{std::move(republish)},
      policy_{policy},
      consumed_{registry.GetCounter("notifications_events_consumed_total",
                                    "OrderCreated deliveries taken from the queue")},
      stored_{registry.GetCounter("notifications_events_stored_total",
                                  "Events that made a new notification")},
      duplicates_{registry.GetCounter("notifications_events_duplicate_total",
                                      "Deliveries of an eventId already stored (acked, no new "
                                      "notification)")},
      retried_{registry.GetCounter("notifications_events_retried_total",
                                   "Deliveries sent to the retry queue after a failure")},
      dead_lettered_{registry.GetCounter("notifications_events_dead_lettered_total",
                                         "Deliveries sent to the dead-letter queue")},
      stale_{registry.GetCounter("notifications_events_stale_total",
                                 "Status events older than the order's known state (acked, no "
                                 "notification)")},
      latency_{registry.GetHistogram("notifications_event_latency_seconds",
                                     "From an event's occurredAt to its notification stored", {},
                                     LatencyBounds())} {}

EventProcessor::Outcome EventProcessor::DeadLetter(const bus::Delivery& delivery,
                                                   std::string_view code, std::string_view reason) {
  republish_(DeadLetterMessage(delivery, code, reason));
  dead_lettered_.Inc();
  core::log::Warn("event dead-lettered", {{"messageId", delivery.properties.message_id},
                                          {"code", code},
                                          {"reason", Clip(reason)},
                                          {"queue", kDeadLetterQueue}});
  return Outcome::kDeadLettered;
}

EventProcessor::Outcome EventProcessor::Process(const bus::Delivery& delivery) {
  consumed_.Inc();
  return Handle(delivery);
}

EventProcessor::Outcome EventProcessor::ProcessAgain(const bus::Delivery& delivery) {
  return Handle(delivery);
}

namespace {
// The event's correlation id, or the message header's for an event written without one.
std::string CorrelationIdOf(const bus::Delivery& delivery, const std::string& from_event) {
  return from_event.empty() ? delivery.properties.Header("x-correlation-id").value_or("")
                            : from_event;
}
}  // namespace

void EventProcessor::ObserveLatency(std::chrono::system_clock::time_point occurred_at) {
  const std::chrono::duration<double> latency = std::chrono::system_clock::now() - occurred_at;
  latency_.Observe(std::max(0.0, latency.count()));
}

EventProcessor::Outcome EventProcessor::Handle(const bus::Delivery& delivery) {
  // The order's trace (the event's W3C traceparent header) on every line about this delivery.
  const core::trace::Scope trace_scope{
      core::trace::ContinueOrStart(delivery.properties.Header("traceparent").value_or(""))};
  // The AMQP `type` says which schema to read (the body's eventType is checked by the parser).
  if (delivery.properties.type == kOrderStatusChanged) return HandleStatus(delivery);
  OrderCreated event;
  try {
    event = ParseOrderCreated(delivery.body);
  } catch (const PoisonMessage& poison) {
    return DeadLetter(delivery, poison.code(), poison.what());
  }
  const core::log::RequestScope scope{CorrelationIdOf(delivery, event.correlation_id)};
  const int attempt = AttemptOf(delivery.properties);
  const auto text = NotificationText(event);
  const auto outcome = Persist(delivery, event.event_id, event.order_id, attempt,
                               [&] { return store_.Store(event, text); });
  if (outcome != Outcome::kStored) return outcome;
  ObserveLatency(event.occurred_at);
  core::log::Output(text, {{"eventId", event.event_id},
                           {"orderId", event.order_id},
                           {"userId", event.user_id},
                           {"totalCents", event.total_cents},
                           {"currency", event.currency},
                           {"attempt", attempt}});
  return outcome;
}

EventProcessor::Outcome EventProcessor::HandleStatus(const bus::Delivery& delivery) {
  OrderStatusChanged event;
  try {
    event = ParseOrderStatusChanged(delivery.body);
  } catch (const PoisonMessage& poison) {
    return DeadLetter(delivery, poison.code(), poison.what());
  }
  const core::log::RequestScope scope{CorrelationIdOf(delivery, event.correlation_id)};
  const int attempt = AttemptOf(delivery.properties);
  const auto text = StatusText(event);
  const auto outcome = Persist(delivery, event.event_id, event.order_id, attempt,
                               [&] { return store_.StoreStatus(event, text); });
  if (outcome != Outcome::kStored) return outcome;
  ObserveLatency(event.occurred_at);
  if (IsCustomerFacing(event.to)) {
    core::log::Output(text, {{"eventId", event.event_id},
                             {"orderId", event.order_id},
                             {"userId", event.user_id},
                             {"state", event.to},
                             {"sequence", event.sequence},
                             {"attempt", attempt}});
  }
  return outcome;
}

EventProcessor::Outcome EventProcessor::Persist(
    const bus::Delivery& delivery, const std::string& event_id, const std::string& order_id,
    int attempt, const std::function<NotificationStore::Result()>& store) {
  NotificationStore::Result result;
  try {
    result = store();
  } catch (const std::exception& e) {
    if (db::IsUnavailable(e)) {
      // Not the message's fault: it keeps its attempts, and the caller waits for the database.
      unavailable_error_ = Clip(e.what());
      core::log::Debug("database unavailable, the delivery waits",
                       {{"eventId", event_id}, {"attempt", attempt}, {"error", e.what()}});
      return Outcome::kDatabaseUnavailable;
    }
    const auto delay = NextRetry(policy_, attempt);
    if (!delay) {
      return DeadLetter(
          delivery, "RETRIES_EXHAUSTED",
          "gave up after " + std::to_string(attempt) + " attempts; last error: " + e.what());
    }
    republish_(RetryMessage(delivery, attempt + 1, *delay, e.what()));
    retried_.Inc();
    core::log::Warn("storing a notification failed, retrying later", {{"eventId", event_id},
                                                                      {"attempt", attempt},
                                                                      {"retryInMs", delay->count()},
                                                                      {"error", e.what()}});
    return Outcome::kRetried;
  }
  if (result == NotificationStore::Result::kDuplicate) {
    duplicates_.Inc();
    core::log::Info("duplicate event ignored", {{"eventId", event_id}, {"orderId", order_id}});
    return Outcome::kDuplicate;
  }
  if (result == NotificationStore::Result::kStale) {
    stale_.Inc();
    core::log::Info("stale status event ignored (the order is at a later state already)",
                    {{"eventId", event_id}, {"orderId", order_id}});
    return Outcome::kDuplicate;
  }
  stored_.Inc();
  return Outcome::kStored;
}

std::string_view ToString(EventProcessor::Outcome outcome) noexcept {
  switch (outcome) {
    case EventProcessor::Outcome::kStored:
      return "stored";
    case EventProcessor::Outcome::kDuplicate:
      return "duplicate";
    case EventProcessor::Outcome::kRetried:
      return "retried";
    case EventProcessor::Outcome::kDeadLettered:
      return "dead-lettered";
    case EventProcessor::Outcome::kDatabaseUnavailable:
      return "database-unavailable";
  }
  return "unknown";
}

}  // namespace comanda::notifications
