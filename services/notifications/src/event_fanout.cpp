#include "event_fanout.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "comanda/bus/topology.hpp"
#include "comanda/core/ids.hpp"
#include "comanda/core/log.hpp"
#include "processor.hpp"
#include "status_events.hpp"

namespace comanda::notifications {
namespace {

constexpr std::chrono::milliseconds kPoll{200};  // how soon a stop request is seen
constexpr std::chrono::milliseconds kFirstDelay{100};
constexpr std::chrono::milliseconds kMaxDelay{5000};

bus::ConsumerOptions Options(bus::ConnectOptions connect, const std::string& queue) {
  connect.connection_name = "notifications-service live updates";
  const std::string exchange{kOrdersExchange};
  return {std::move(connect), queue, 200, [queue, exchange](bus::Connection& connection) {
            connection.DeclareExchange(exchange, "topic", true);
            bus::DeclarePrivateQueue(connection, queue,
                                     {{queue, exchange, std::string{kOrderCreatedKey}},
                                      {queue, exchange, std::string{kOrderStatusChangedKey}}});
          }};
}

// Waits `delay`, or less when stop is requested.
void Sleep(std::stop_token stop, std::chrono::milliseconds delay) {
  std::mutex mutex;
  std::condition_variable_any never;
  std::unique_lock lock{mutex};
  never.wait_for(lock, stop, delay, [] { return false; });
}

}  // namespace

EventFanout::EventFanout(bus::ConnectOptions connect, std::function<void()> on_event,
                         metrics::Registry& registry)
    : queue_{"notifications.live." + core::NewUuid()},
      on_event_{std::move(on_event)},
      consumer_{Options(std::move(connect), queue_)} {
  registry.AddGauge("notifications_live_subscription_connected",
                    "1 while this replica's live-update queue is consumed",
                    [this] { return connected_.load() ? 1.0 : 0.0; });
}

void EventFanout::Run(std::stop_token stop) {
  auto delay = kFirstDelay;
  while (!stop.stop_requested()) {
    try {
      if (!consumer_.connected()) {
        consumer_.Connect();
        connected_ = true;
        delay = kFirstDelay;
        log::Info("live updates subscribed", {{"queue", queue_}, {"broker", consumer_.node()}});
        on_event_();  // events published while disconnected: their rows are read now
      }
      if (const auto delivery = consumer_.Next(kPoll)) {
        consumer_.Ack(delivery->delivery_tag);
        on_event_();
      }
    } catch (const std::exception& e) {
      if (connected_.exchange(false)) {
        log::Warn("live updates subscription lost", {{"error", e.what()}});
      }
      consumer_.Disconnect();
      Sleep(stop, delay);
      delay = std::min(delay * 2, kMaxDelay);
    }
  }
  connected_ = false;
  consumer_.Disconnect();
}

}  // namespace comanda::notifications
