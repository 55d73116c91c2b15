#include "outbox_relay.hpp"

#include <thread>

#include "comanda/core/log.hpp"

namespace comanda::orders {
namespace {

// The gauges cost a count over the unsent rows: refreshed once a second, not on every pass.
constexpr std::chrono::seconds kStatsEvery{1};
// Under load a wake-up comes with every order; starting passes at most every kGather lets each
// take several rows (one transaction, one wait for confirms) for a few ms of latency.
constexpr std::chrono::milliseconds kGather{4};
// How soon a stop request is seen while waiting for work.
constexpr std::chrono::milliseconds kWaitSlice{100};

double EpochNow() {
  const std::chrono::duration<double> now = std::chrono::system_clock::now().time_since_epoch();
  return now.count();
}

}  // namespace

bus::Message ToMessage(const OutboxRecord& record) {
  bus::Message message;
  message.exchange = std::string{kOrdersExchange};
  message.routing_key = record.routing_key;
  message.body = record.payload;
  message.properties.message_id = record.id;
  message.properties.type = record.event_type;
  message.properties.content_type = "application/json";
  message.properties.correlation_id = record.correlation_id;
  message.properties.persistent = true;
  message.properties.timestamp = record.created_epoch;
  if (!record.traceparent.empty())
    message.properties.headers.emplace_back("traceparent", record.traceparent);
  return message;
}

OutboxRelay::OutboxRelay(OutboxTable& table, bus::BatchPublisher& publisher, core::Wakeup& wake,
                         RelayOptions options, core::metrics::Registry& registry)
    : table_{table},
      publisher_{publisher},
      wake_{wake},
      options_{options},
      acked_{registry.GetCounter("orders_outbox_publish_total",
                                 "Outbox events published, by broker answer",
                                 {{"result", "acked"}})},
      failed_{registry.GetCounter("orders_outbox_publish_total",
                                  "Outbox events published, by broker answer",
                                  {{"result", "failed"}})} {
  registry.AddGauge("orders_outbox_backlog", "Outbox events not yet published",
                    [this] { return backlog_.load(); });
  registry.AddGauge("orders_outbox_oldest_age_seconds",
                    "Age of the oldest unpublished outbox event (0 when none)", [this] {
                      const double oldest = oldest_epoch_.load();
                      return oldest > 0 ? std::max(0.0, EpochNow() - oldest) : 0.0;
                    });
  registry.AddGauge("orders_rabbitmq_connected", "1 while the relay holds a broker connection",
                    [this] { return broker_connected_.load() ? 1.0 : 0.0; });
}

void OutboxRelay::Step(std::stop_token stop) {
  if (std::chrono::steady_clock::now() >= next_stats_) RefreshStats();
  std::size_t claimed = 0;
  // Claims whatever is there, without asking first: a wake-up (or the poll) says when.
  if (BrokerReachable()) {
    const auto since = std::chrono::steady_clock::now() - last_pass_;
    if (since < kGather) std::this_thread::sleep_for(kGather - since);
    last_pass_ = std::chrono::steady_clock::now();
    claimed = Pass(stop);
  }
  // Drained (or only rows another relay holds): the gauges show it now.
  if (claimed == 0 && backlog_.load() > 0) RefreshStats();
  if (claimed < static_cast<std::size_t>(options_.batch_size)) WaitForWork(stop);
}

std::string_view OutboxRelay::Recover(const std::exception& error) noexcept {
  if (dynamic_cast<const bus::BrokerError*>(&error) != nullptr) {
    broker_connected_ = publisher_.connected();
    broker_was_down_ = true;
    return "outbox relay cannot publish, retrying";
  }
  table_.Reset();
  return "outbox relay database error, reconnecting";
}

bool OutboxRelay::BrokerReachable() {
  try {
    publisher_.EnsureConnected();
  } catch (const bus::BrokerError& e) {
    broker_connected_ = publisher_.connected();
    broker_was_down_ = true;
    if (backlog_.load() > 0) throw;
    core::log::Debug("outbox relay cannot reach RabbitMQ", {{"error", e.what()}});
    return false;
  }
  broker_connected_ = true;
  if (broker_was_down_) core::log::Info("outbox relay connected to RabbitMQ");
  broker_was_down_ = false;
  return true;
}

std::size_t OutboxRelay::Pass(std::stop_token stop) {
  const auto records = table_.Claim(options_.batch_size);
  if (records.empty() || stop.stop_requested()) {
    table_.Release();
    return records.size();
  }
  // The whole batch goes out back to back with one wait for its confirms, and is marked sent with
  // one UPDATE: per-message confirms and updates kept the relay behind the orders under load.
  std::vector<bus::Message> messages;
  messages.reserve(records.size());
  for (const auto& record : records) messages.push_back(ToMessage(record));
  try {
    publisher_.PublishAll(messages);
  } catch (const bus::BrokerError& e) {
    failed_.Inc();
    table_.MarkFailed(records.front(), e.what());
    throw;
  }
  table_.MarkSent(records);
  acked_.Inc(records.size());
  core::log::Debug("outbox events published", {{"count", records.size()}});
  return records.size();
}

void OutboxRelay::RefreshStats() {
  const auto stats = table_.Stats();
  backlog_ = stats.backlog;
  oldest_epoch_ = stats.oldest_epoch;
  next_stats_ = std::chrono::steady_clock::now() + kStatsEvery;
}

void OutboxRelay::WaitForWork(std::stop_token stop) {
  const auto deadline = std::chrono::steady_clock::now() + options_.poll;
  while (!stop.stop_requested() && std::chrono::steady_clock::now() < deadline) {
    if (wake_.WaitFor(kWaitSlice)) return;
  }
}

}  // namespace comanda::orders
