#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/connection>
#include <stop_token>
#include <string>
#include <vector>

#include "comanda/bus/publisher.hpp"
#include "comanda/core/metrics.hpp"

namespace comanda::orders {

inline constexpr std::string_view kOrdersExchange = "orders";

/// One unsent row of the `outbox` table.
struct OutboxRecord {
  std::string id;  // eventId
  std::string event_type;
  std::string routing_key;
  std::string payload;
  std::string correlation_id;
  std::int64_t created_epoch = 0;  // seconds
  std::string traceparent;         // sent as the `traceparent` header when not empty
};

/// The AMQP message for a record: exchange `orders`, persistent JSON, `message_id` = eventId,
/// `type` = the event type, header `x-correlation-id`.
bus::Message ToMessage(const OutboxRecord& record);

struct BatchResult {
  std::size_t acked = 0;             // a prefix of the batch, each acked by the broker
  std::optional<std::string> error;  // why the next one was not
};

/// Publishes records in order, calling `on_acked` after each broker ack, and stops at the first
/// failure (so a record is never marked before every earlier one is) or when stop is requested.
BatchResult PublishInOrder(const std::vector<OutboxRecord>& records,
                           const std::function<void(const bus::Message&)>& publish,
                           const std::function<void(const OutboxRecord&)>& on_acked,
                           std::stop_token stop = {});

struct RelayOptions {
  std::string database_url;  // its own connection, not the request pool's
  bus::PublisherOptions publisher;
  int batch_size = 100;
  std::chrono::milliseconds poll{1000};
};

/// The outbox relay: woken by LISTEN/NOTIFY (or the poll interval), it claims unsent rows with
/// FOR UPDATE SKIP LOCKED (replicas never send the same row concurrently), publishes them with
/// confirms and marks each sent only after the broker's ack, in the claiming transaction. Any
/// failure drops the failing connection and backs off (100 ms doubling to 5 s). At least once: a
/// crash between the ack and the commit sends the row again.
class OutboxRelay {
 public:
  /// `ready` says when the schema exists (the request pool's Initialize() has run).
  OutboxRelay(RelayOptions options, std::function<bool()> ready, metrics::Registry& registry);
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  /// Runs until `stop` is requested. Run it on its own thread.
  void Run(std::stop_token stop);

  /// True while the relay holds a broker connection (for /ready; thread-safe).
  bool broker_connected() const noexcept { return broker_connected_.load(); }

 private:
  class Listener;
  void ConnectDatabase();
  void UpdateStats();
  /// One claim-publish-mark cycle; the number of rows claimed (a full batch: more may wait).
  std::size_t Pass(std::stop_token stop);
  void WaitForWork(std::stop_token stop);

  RelayOptions options_;
  std::function<bool()> ready_;
  bus::Publisher publisher_;
  std::unique_ptr<pqxx::connection> db_;
  std::unique_ptr<Listener> listener_;
  std::atomic<double> backlog_{0};
  std::atomic<double> oldest_epoch_{0};
  std::atomic<bool> broker_connected_{false};
  metrics::Counter& acked_;
  metrics::Counter& failed_;
};

}  // namespace comanda::orders
