#include "event_fanout.hpp"

#include <chrono>

#include "comanda/bus/topology.hpp"
#include "comanda/core/ids.hpp"
#include "comanda/core/log.hpp"
#include "processor.hpp"
#include "status_events.hpp"

namespace comanda::notifications {
namespace {

constexpr std::chrono::milliseconds kPoll{200};  // how soon a stop request is seen

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

}  // namespace

EventFanout::EventFanout(bus::ConnectOptions connect, std::function<void()> on_event,
                         core::metrics::Registry& registry)
    : queue_{"notifications.live." + core::NewUuid()},
      on_event_{std::move(on_event)},
      consumer_{Options(std::move(connect), queue_)} {
  registry.AddGauge("notifications_live_subscription_connected",
                    "1 while this replica's live-update queue is consumed",
                    [this] { return connected_.load() ? 1.0 : 0.0; });
}

void EventFanout::Step(std::stop_token) {
  if (!consumer_.connected()) {
    consumer_.Connect();
    connected_ = true;
    core::log::Info("live updates subscribed", {{"queue", queue_}, {"broker", consumer_.node()}});
    on_event_();  // events published while disconnected: their rows are read now
  }
  if (const auto delivery = consumer_.Next(kPoll)) {
    consumer_.Ack(delivery->delivery_tag);
    on_event_();
  }
}

std::string_view EventFanout::Recover(const std::exception&) noexcept {
  const bool was_connected = connected_.exchange(false);
  consumer_.Disconnect();
  return was_connected ? "live updates subscription lost, reconnecting"
                       : "live updates cannot subscribe, retrying";
}

void EventFanout::Stopped() noexcept {
  connected_ = false;
  consumer_.Disconnect();
}

}  // namespace comanda::notifications
