#include "order_created_consumer.hpp"

#include <condition_variable>
#include <mutex>

#include "comanda/core/log.hpp"
#include "topology.hpp"

namespace comanda::notifications {
namespace {

constexpr std::chrono::milliseconds kPoll{200};  // how soon a stop request is seen
constexpr std::chrono::milliseconds kFirstDelay{100};
constexpr std::chrono::milliseconds kMaxDelay{5000};

void Sleep(std::stop_token stop, std::chrono::milliseconds delay) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock{mutex};
  wake.wait_for(lock, stop, delay, [] { return false; });
}

bus::ConnectOptions Named(bus::ConnectOptions options, std::string name) {
  options.connection_name = std::move(name);
  return options;
}

}  // namespace

OrderCreatedConsumer::OrderCreatedConsumer(ConsumerSettings settings, NotificationStore& store,
                                           std::function<bool()> ready, metrics::Registry& registry)
    : settings_{std::move(settings)},
      ready_{std::move(ready)},
      consumer_{
          {Named(settings_.connect, "notifications-service consumer"), std::string{kWorkQueue},
           static_cast<std::uint16_t>(settings_.prefetch),
           [](bus::Connection& connection) { bus::Declare(connection, OrderCreatedTopology()); }}},
      publisher_{{Named(settings_.connect, "notifications-service republisher"),
                  {},
                  settings_.connect.timeout}},
      processor_{store, [this](const bus::Message& message) { publisher_.Publish(message); },
                 settings_.retry, registry} {
  registry.AddGauge("notifications_rabbitmq_connected",
                    "1 while the consumer holds its RabbitMQ connection",
                    [this] { return connected_.load() ? 1.0 : 0.0; });
}

void OrderCreatedConsumer::Connect() {
  consumer_.Connect();  // declares the topology first
  publisher_.EnsureConnected();
  connected_ = true;
  log::Info("consuming", {{"queue", kWorkQueue},
                          {"broker", settings_.connect.url.Redacted()},
                          {"prefetch", settings_.prefetch}});
}

void OrderCreatedConsumer::Disconnect() noexcept {
  connected_ = false;
  consumer_.Disconnect();
  publisher_.Disconnect();
}

void OrderCreatedConsumer::Run(std::stop_token stop) {
  auto delay = kFirstDelay;
  while (!stop.stop_requested()) {
    try {
      if (!ready_()) {
        Sleep(stop, kFirstDelay);
        continue;
      }
      if (!consumer_.connected()) Connect();
      delay = kFirstDelay;
      const auto delivery = consumer_.Next(kPoll);
      if (!delivery) continue;
      const auto outcome = processor_.Process(*delivery);
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
      Sleep(stop, delay);
      delay = std::min(delay * 2, kMaxDelay);
    }
  }
  Disconnect();
  log::Info("consumer stopped");
}

}  // namespace comanda::notifications
