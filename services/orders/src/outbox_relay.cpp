#include "outbox_relay.hpp"

#include <pqxx/notification>
#include <pqxx/pqxx>
#include <thread>

#include "comanda/core/log.hpp"
#include "comanda/core/time.hpp"

namespace comanda::orders {
namespace {

constexpr auto kClaim = "outbox_claim";
constexpr auto kMarkSent = "outbox_mark_sent";
constexpr auto kMarkAllSent = "outbox_mark_all_sent";
constexpr auto kMarkFailed = "outbox_mark_failed";
constexpr auto kStats = "outbox_stats";
constexpr auto kChannel = "outbox";

double EpochNow() {
  const std::chrono::duration<double> now = std::chrono::system_clock::now().time_since_epoch();
  return now.count();
}

}  // namespace

// Only wakes await_notification(); the relay reads the table, not the payload.
class OutboxRelay::Listener final : public pqxx::notification_receiver {
 public:
  explicit Listener(pqxx::connection& connection) : notification_receiver{connection, kChannel} {}
  void operator()(const std::string&, int) override {}
};

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

BatchResult PublishInOrder(const std::vector<OutboxRecord>& records,
                           const std::function<void(const bus::Message&)>& publish,
                           const std::function<void(const OutboxRecord&)>& on_acked,
                           std::stop_token stop) {
  BatchResult result;
  for (const auto& record : records) {
    if (stop.stop_requested()) break;
    try {
      publish(ToMessage(record));
    } catch (const std::exception& e) {
      result.error = e.what();
      break;
    }
    on_acked(record);
    ++result.acked;
  }
  return result;
}

OutboxRelay::OutboxRelay(RelayOptions options, std::function<bool()> ready,
                         metrics::Registry& registry)
    : options_{std::move(options)},
      ready_{std::move(ready)},
      publisher_{options_.publisher},
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

OutboxRelay::~OutboxRelay() = default;

void OutboxRelay::ConnectDatabase() {
  listener_.reset();
  db_.reset();
  auto connection = std::make_unique<pqxx::connection>(options_.database_url);
  connection->prepare(
      kClaim,
      "SELECT id::text, event_type, routing_key, payload, correlation_id, "
      "extract(epoch FROM created_at)::bigint, COALESCE(traceparent, '') FROM outbox "
      "WHERE sent_at IS NULL "
      "ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED");
  connection->prepare(kMarkSent,
                      "UPDATE outbox SET sent_at = now(), attempts = attempts + 1, "
                      "last_error = NULL WHERE id = $1");
  connection->prepare(kMarkAllSent,
                      "UPDATE outbox SET sent_at = now(), attempts = attempts + 1, "
                      "last_error = NULL WHERE id = ANY($1::uuid[])");
  connection->prepare(kMarkFailed,
                      "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1");
  connection->prepare(kStats,
                      "SELECT count(*), COALESCE(extract(epoch FROM min(created_at)), 0)::float8 "
                      "FROM outbox WHERE sent_at IS NULL");
  listener_ = std::make_unique<Listener>(*connection);  // LISTEN outbox
  db_ = std::move(connection);
  log::Info("outbox relay connected to the database");
}

void OutboxRelay::UpdateStats() {
  pqxx::nontransaction tx{*db_};
  const auto row = tx.exec_prepared1(kStats);
  backlog_ = row[0].as<double>();
  oldest_epoch_ = row[1].as<double>();
}

std::size_t OutboxRelay::Pass(std::stop_token stop) {
  pqxx::work tx{*db_};
  std::vector<OutboxRecord> records;
  for (const auto& row : tx.exec_prepared(kClaim, options_.batch_size)) {
    records.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                       row[3].as<std::string>(), row[4].as<std::string>(),
                       row[5].as<std::int64_t>(), row[6].as<std::string>()});
  }
  if (records.empty()) return 0;
  // The whole batch goes out back to back with one wait for its confirms, and is marked sent with
  // one UPDATE: per-message confirms and updates kept the relay behind the orders under load.
  std::vector<bus::Message> messages;
  messages.reserve(records.size());
  std::string ids = "{";
  for (const auto& record : records) {
    messages.push_back(ToMessage(record));
    ids += (ids.size() > 1 ? "," : "") + record.id;
  }
  ids += "}";
  std::optional<std::string> error;
  if (!stop.stop_requested()) {
    try {
      publisher_.PublishAll(messages);
    } catch (const bus::BrokerError& e) {
      error = e.what();
    }
  }
  if (error) {
    failed_.Inc();
    tx.exec_prepared(kMarkFailed, records.front().id, *error);
  } else if (!stop.stop_requested()) {
    tx.exec_prepared(kMarkAllSent, ids);
    acked_.Inc(records.size());
  }
  tx.commit();
  if (!error) log::Debug("outbox events published", {{"count", records.size()}});
  if (error) throw bus::BrokerError{*error};
  return records.size();
}

void OutboxRelay::WaitForWork(std::stop_token stop) {
  const auto deadline = std::chrono::steady_clock::now() + options_.poll;
  // Short slices, so that a stop request is seen within 100 ms.
  while (!stop.stop_requested() && std::chrono::steady_clock::now() < deadline) {
    if (db_->await_notification(0, 100'000) > 0) return;
  }
}

void OutboxRelay::Run(std::stop_token stop) {
  constexpr std::chrono::milliseconds kFirstDelay{100};
  constexpr std::chrono::milliseconds kMaxDelay{5000};
  auto delay = kFirstDelay;
  constexpr std::chrono::seconds kStatsEvery{1};
  bool broker_was_down = false;
  constexpr std::chrono::milliseconds kGather{4};
  auto next_stats = std::chrono::steady_clock::now();
  auto last_pass = next_stats - kGather;
  while (!stop.stop_requested()) {
    try {
      if (!ready_()) {
        core::SleepFor(stop, kFirstDelay);
        continue;
      }
      if (!db_) ConnectDatabase();
      // The gauges cost a count over the unsent rows: refreshed once a second, not on every pass.
      if (std::chrono::steady_clock::now() >= next_stats) {
        UpdateStats();
        next_stats = std::chrono::steady_clock::now() + kStatsEvery;
      }
      std::size_t claimed = 0;
      try {
        // Connected even when idle, so that /ready and the metric tell the truth.
        publisher_.EnsureConnected();
        broker_connected_ = true;
        if (broker_was_down) log::Info("outbox relay connected to RabbitMQ");
        broker_was_down = false;
      } catch (const bus::BrokerError& e) {
        broker_connected_ = publisher_.connected();
        broker_was_down = true;
        if (backlog_.load() > 0) throw;
        log::Debug("outbox relay cannot reach RabbitMQ", {{"error", e.what()}});
      }
      // Claims whatever is there, without asking first: a NOTIFY (or the poll) says when. Under
      // load a NOTIFY comes with every order; starting passes at most every kGather lets each
      // take several rows (one transaction, one wait for confirms) for a few ms of latency.
      if (!broker_was_down) {
        const auto since = std::chrono::steady_clock::now() - last_pass;
        if (since < kGather) std::this_thread::sleep_for(kGather - since);
        last_pass = std::chrono::steady_clock::now();
        claimed = Pass(stop);  // a failed publish throws, after marking it
      }
      if (claimed == 0 && backlog_.load() > 0) {
        UpdateStats();  // drained (or only rows another relay holds): the gauges show it now
        next_stats = std::chrono::steady_clock::now() + kStatsEvery;
      }
      const bool more = claimed == static_cast<std::size_t>(options_.batch_size);
      delay = kFirstDelay;
      if (!more) WaitForWork(stop);
    } catch (const bus::BrokerError& e) {
      broker_connected_ = publisher_.connected();
      broker_was_down = true;
      log::Warn("outbox relay cannot publish, retrying",
                {{"error", e.what()}, {"retryInMs", delay.count()}});
      core::SleepFor(stop, delay);
      delay = std::min(delay * 2, kMaxDelay);
    } catch (const std::exception& e) {
      log::Warn("outbox relay database error, reconnecting",
                {{"error", e.what()}, {"retryInMs", delay.count()}});
      listener_.reset();
      db_.reset();
      core::SleepFor(stop, delay);
      delay = std::min(delay * 2, kMaxDelay);
    }
  }
  log::Info("outbox relay stopped");
}

}  // namespace comanda::orders
