#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <pqxx/transaction>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "comanda/bus/publisher.hpp"
#include "comanda/core/metrics.hpp"
#include "comanda/core/wakeup.hpp"
#include "comanda/core/worker.hpp"
#include "comanda/db/connection.hpp"

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

struct OutboxStats {
  double backlog = 0;       // unsent rows
  double oldest_epoch = 0;  // created_at of the oldest unsent row (0 when none)
};

/// The outbox table as the relay sees it. Claim() opens a transaction that holds the claimed rows
/// (FOR UPDATE SKIP LOCKED: replicas never send the same row concurrently) until MarkSent(),
/// MarkFailed() or Release() ends it.
class OutboxTable {
 public:
  virtual ~OutboxTable() = default;
  virtual std::vector<OutboxRecord> Claim(int limit) = 0;
  /// Marks every claimed row sent and commits.
  virtual void MarkSent(const std::vector<OutboxRecord>& records) = 0;
  /// Counts an attempt with its error on `first` and commits; every row stays unsent.
  virtual void MarkFailed(const OutboxRecord& first, const std::string& error) = 0;
  /// Ends the transaction, nothing marked.
  virtual void Release() = 0;
  virtual OutboxStats Stats() = 0;
  /// Drops the connection after an error; the next call reconnects.
  virtual void Reset() noexcept = 0;
};

/// OutboxTable over a db::Connection of its own (not the request pool's).
class PgOutboxTable final : public OutboxTable {
 public:
  explicit PgOutboxTable(std::string database_url);
  ~PgOutboxTable() override;
  std::vector<OutboxRecord> Claim(int limit) override;
  void MarkSent(const std::vector<OutboxRecord>& records) override;
  void MarkFailed(const OutboxRecord& first, const std::string& error) override;
  void Release() override;
  OutboxStats Stats() override;
  void Reset() noexcept override;

 private:
  db::Connection connection_;
  std::unique_ptr<pqxx::work> claim_;  // reset before connection_
};

struct RelayOptions {
  int batch_size = 100;
  std::chrono::milliseconds poll{1000};
};

/// The outbox relay, a core::Task: each step claims unsent rows (woken by `wake`, which the
/// requests that write outbox rows notify after their commit, or by the poll interval, which
/// finds rows another replica wrote and could not relay), publishes the batch with confirms and
/// marks the whole batch sent only after the broker acked every message, in the claiming
/// transaction (Pass). At least once: a crash between the ack and the commit sends the rows again.
class OutboxRelay final : public core::Task {
 public:
  OutboxRelay(OutboxTable& table, bus::BatchPublisher& publisher, core::Wakeup& wake,
              RelayOptions options, core::metrics::Registry& registry);

  void Step(std::stop_token stop) override;
  std::string_view Recover(const std::exception& error) noexcept override;

  /// One claim-publish-mark cycle; the number of rows claimed (a full batch: more may wait).
  /// A failed publish marks the failure on the first row and throws bus::BrokerError.
  std::size_t Pass(std::stop_token stop);

  /// True while the relay holds a broker connection (for /ready; thread-safe).
  bool broker_connected() const noexcept { return broker_connected_.load(); }

 private:
  /// Connects to the broker even when idle, so that /ready and the metric tell the truth. False
  /// while it is down and nothing waits; throws bus::BrokerError when something does.
  bool BrokerReachable();
  void RefreshStats();
  void WaitForWork(std::stop_token stop);

  OutboxTable& table_;
  bus::BatchPublisher& publisher_;
  core::Wakeup& wake_;
  RelayOptions options_;
  bool broker_was_down_ = false;
  std::chrono::steady_clock::time_point next_stats_{};
  std::chrono::steady_clock::time_point last_pass_{};
  std::atomic<double> backlog_{0};
  std::atomic<double> oldest_epoch_{0};
  std::atomic<bool> broker_connected_{false};
  core::metrics::Counter& acked_;
  core::metrics::Counter& failed_;
};

}  // namespace comanda::orders
