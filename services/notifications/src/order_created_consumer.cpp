#include "order_created_consumer.hpp"

#include "comanda/core/log.hpp"
#include "comanda/core/time.hpp"
#include "topology.hpp"

namespace comanda::notifications {
namespace {

constexpr std::chrono::milliseconds kPoll{200};   // how soon a stop request is seen
constexpr core::Backoff::Options kProbeDelays{};  // 100 ms doubling to 5 s

bus::ConnectOptions Named(bus::ConnectOptions options, std::string name) {
  options.connection_name = std::move(name);
  return options;
}

}  // namespace

OrderCreatedConsumer::OrderCreatedConsumer(ConsumerSettings settings, NotificationStore& store,
                                           std::function<bool()> database_up,
                                           core::metrics::Registry& registry)
    : settings_{std::move(settings)},
      database_up_{std::move(database_up)},
      consumer_{
          {Named(settings_.connect, "notifications-service consumer"), std::string{kWorkQueue},
           static_cast<std::uint16_t>(settings_.prefetch),
           [](bus::Connection& connection) { bus::Declare(connection, OrderCreatedTopology()); }}},
      publisher_{{Named(settings_.connect, "notifications-service republisher"),
                  {},
                  settings_.connect.timeout}},
      processor_{store, [this](const bus::Message& message) { publisher_.Publish(message); },
                 settings_.retry, registry},
      pauses_{registry.GetCounter("notifications_consumer_pauses_total",
                                  "Times a consumer paused because the database was unavailable")} {
}

void OrderCreatedConsumer::Connect() {
  consumer_.Connect();  // declares the topology first
  publisher_.EnsureConnected();
  connected_ = true;
  core::log::Info(
      "consuming",
      {{"queue", kWorkQueue}, {"broker", consumer_.node()}, {"prefetch", settings_.prefetch}});
}

void OrderCreatedConsumer::Disconnect() noexcept {
  connected_ = false;
  consumer_.Disconnect();
  publisher_.Disconnect();
}

std::optional<EventProcessor::Outcome> OrderCreatedConsumer::WaitForDatabase(
    std::stop_token stop, const bus::Delivery& delivery) {
  const auto started = std::chrono::steady_clock::now();
  paused_ = true;
  pauses_.Inc();
  struct Resume {
    std::atomic<bool>& paused;
    ~Resume() { paused = false; }
  } resume{paused_};
  core::log::Warn("database unavailable, consumer paused",
                  {{"messageId", delivery.properties.message_id},
                   {"error", processor_.unavailable_error()},
                   {"probeMaxIntervalMs", kProbeDelays.cap.count()}});
  core::Backoff probe_delays{kProbeDelays};
  int probes = 0;
  for (;;) {
    core::SleepFor(stop, probe_delays.Next());
    if (stop.stop_requested()) {
      core::log::Info("consumer stopping while paused; the delivery goes back to the queue",
                      {{"messageId", delivery.properties.message_id}});
      return std::nullopt;
    }
    ++probes;
    if (!database_up_()) continue;
    const auto outcome = processor_.ProcessAgain(delivery);
    if (outcome == EventProcessor::Outcome::kDatabaseUnavailable) continue;
    const std::chrono::duration<double, std::milli> paused_for =
        std::chrono::steady_clock::now() - started;
    core::log::Info("database available again, consumer resumed",
                    {{"messageId", delivery.properties.message_id},
                     {"outcome", ToString(outcome)},
                     {"pausedMs", static_cast<std::int64_t>(paused_for.count())},
                     {"probes", probes}});
    return outcome;
  }
}

void OrderCreatedConsumer::Step(std::stop_token stop) {
  if (!consumer_.connected()) Connect();
  const auto delivery = consumer_.Next(kPoll);
  if (!delivery) return;
  auto outcome = processor_.Process(*delivery);
  if (outcome == EventProcessor::Outcome::kDatabaseUnavailable) {
    const auto handled = WaitForDatabase(stop, *delivery);
    if (!handled) return;  // stopping: the delivery goes back to the queue unacked
    outcome = *handled;
  }
  consumer_.Ack(delivery->delivery_tag);
  core::log::Debug("delivery acked", {{"messageId", delivery->properties.message_id},
                                      {"outcome", ToString(outcome)},
                                      {"redelivered", delivery->redelivered}});
}

std::string_view OrderCreatedConsumer::Recover(const std::exception&) noexcept {
  // A broker problem (a republish without confirm, a lost connection): nothing was acked, so the
  // broker hands the message out again once we are back.
  Disconnect();
  return "RabbitMQ unavailable, reconnecting";
}

}  // namespace comanda::notifications
