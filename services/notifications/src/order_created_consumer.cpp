#include "order_created_consumer.hpp"

#include "comanda/core/log.hpp"
#include "comanda/core/time.hpp"
#include "topology.hpp"

namespace comanda::notifications {
namespace {

constexpr std::chrono::milliseconds kPoll{200};  // how soon a stop request is seen
constexpr std::chrono::milliseconds kFirstDelay{100};
constexpr std::chrono::milliseconds kMaxDelay{5000};

bus::ConnectOptions Named(bus::ConnectOptions options, std::string name) {
  options.connection_name = std::move(name);
  return options;
}

}  // namespace

OrderCreatedConsumer::OrderCreatedConsumer(ConsumerSettings settings, NotificationStore& store,
                                           std::function<bool()> ready,
                                           std::function<bool()> database_up,
                                           metrics::Registry& registry)
    : settings_{std::move(settings)},
      ready_{std::move(ready)},
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
  registry.AddGauge("notifications_rabbitmq_connected",
                    "1 while the consumer holds its RabbitMQ connection",
                    [this] { return connected_.load() ? 1.0 : 0.0; });
  registry.AddGauge("notifications_consumer_paused",
                    "Consumers paused now because the database is unavailable",
                    [this] { return paused_.load() ? 1.0 : 0.0; });
}

void OrderCreatedConsumer::Connect() {
  consumer_.Connect();  // declares the topology first
  publisher_.EnsureConnected();
  connected_ = true;
  log::Info(
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
  log::Warn("database unavailable, consumer paused", {{"messageId", delivery.properties.message_id},
                                                      {"error", processor_.unavailable_error()},
                                                      {"probeMaxIntervalMs", kMaxDelay.count()}});
  auto delay = kFirstDelay;
  int probes = 0;
  for (;;) {
    core::SleepFor(stop, delay);
    if (stop.stop_requested()) {
      log::Info("consumer stopping while paused; the delivery goes back to the queue",
                {{"messageId", delivery.properties.message_id}});
      return std::nullopt;
    }
    delay = std::min(delay * 2, kMaxDelay);
    ++probes;
    if (!database_up_()) continue;
    const auto outcome = processor_.ProcessAgain(delivery);
    if (outcome == EventProcessor::Outcome::kDatabaseUnavailable) continue;
    const std::chrono::duration<double, std::milli> paused_for =
        std::chrono::steady_clock::now() - started;
    log::Info("database available again, consumer resumed",
              {{"messageId", delivery.properties.message_id},
               {"outcome", ToString(outcome)},
               {"pausedMs", static_cast<std::int64_t>(paused_for.count())},
               {"probes", probes}});
    return outcome;
  }
}

void OrderCreatedConsumer::Run(std::stop_token stop) {
  auto delay = kFirstDelay;
  while (!stop.stop_requested()) {
    try {
      if (!ready_()) {
        core::SleepFor(stop, kFirstDelay);
        continue;
      }
      if (!consumer_.connected()) Connect();
      delay = kFirstDelay;
      const auto delivery = consumer_.Next(kPoll);
      if (!delivery) continue;
      auto outcome = processor_.Process(*delivery);
      if (outcome == EventProcessor::Outcome::kDatabaseUnavailable) {
        const auto handled = WaitForDatabase(stop, *delivery);
        if (!handled) break;  // stopping: the delivery goes back to the queue unacked
        outcome = *handled;
      }
      consumer_.Ack(delivery->delivery_tag);
      log::Debug("delivery acked", {{"messageId", delivery->properties.message_id},
                                    {"outcome", ToString(outcome)},
                                    {"redelivered", delivery->redelivered}});
    } catch (const std::exception& e) {
      // A broker problem (a republish without confirm, a lost connection): nothing was acked,
      // so the broker hands the message out again once we are back.
      log::Warn("RabbitMQ unavailable, reconnecting",
                {{"error", e.what()}, {"retryInMs", delay.count()}});
      Disconnect();
      core::SleepFor(stop, delay);
      delay = std::min(delay * 2, kMaxDelay);
    }
  }
  Disconnect();
  log::Info("consumer stopped");
}

}  // namespace comanda::notifications
