#pragma once

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>
#include <string_view>

#include "comanda/core/metrics.hpp"
#include "comanda/core/worker.hpp"
#include "comanda/db/connection.hpp"

namespace comanda::orders {

struct PruneOptions {
  std::chrono::seconds outbox_retention{3600};  // after sent_at; 0: keep forever
  std::chrono::seconds key_retention{86400};    // after created_at; 0: keep forever
  std::chrono::seconds interval{60};
  int batch_size = 1000;  // rows per DELETE (one short transaction each)
  int max_batches = 100;  // per table and run; the rest waits for the next run
};

struct PruneCounts {
  std::uint64_t outbox = 0;
  std::uint64_t keys = 0;
};

/// The tables the pruner deletes from.
class ExpiredRows {
 public:
  enum class Table { kOutbox, kIdempotencyKeys };
  virtual ~ExpiredRows() = default;
  /// Deletes at most `limit` rows of `table` older than `retention`, oldest first, in one
  /// transaction; the number deleted.
  virtual std::uint64_t DeleteBatch(Table table, std::chrono::seconds retention, int limit) = 0;
  /// Drops the connection after an error; the next call reconnects.
  virtual void Reset() noexcept = 0;
};

/// ExpiredRows over a db::Connection of its own, so that deleting never delays the relay or a
/// request. Outbox rows are deleted only when sent; keys never take their orders with them.
class PgExpiredRows final : public ExpiredRows {
 public:
  explicit PgExpiredRows(std::string database_url);
  std::uint64_t DeleteBatch(Table table, std::chrono::seconds retention, int limit) override;
  void Reset() noexcept override { connection_.Reset(); }

 private:
  db::Connection connection_;
};

/// The pruner, a core::Task: every `interval`, deletes outbox rows sent more than
/// `outbox_retention` ago and idempotency keys older than `key_retention`, in batches of
/// `batch_size` rows locked with FOR UPDATE SKIP LOCKED (replicas never wait for each other). A
/// failed run is counted, drops the connection and is retried after `interval` (RetryDelays()).
class Pruner final : public core::Task {
 public:
  Pruner(ExpiredRows& rows, PruneOptions options, core::metrics::Registry& registry);

  void Step(std::stop_token stop) override;
  std::string_view Recover(const std::exception& error) noexcept override;
  /// Both retentions 0 (keep forever): no thread at all.
  std::string_view DisabledBecause() const override;
  /// A failed run waits for the next interval, like a successful one.
  core::Backoff::Options RetryDelays() const noexcept;

  /// One run: every batch until one is not full (at most `max_batches` per table). Throws on a
  /// database error; each table's counter moves as soon as that table is done.
  PruneCounts RunOnce(std::stop_token stop);

 private:
  std::uint64_t DeleteBatches(ExpiredRows::Table table, std::chrono::seconds retention,
                              std::stop_token stop);

  ExpiredRows& rows_;
  PruneOptions options_;
  core::metrics::Counter& outbox_pruned_;
  core::metrics::Counter& keys_pruned_;
  core::metrics::Counter& runs_ok_;
  core::metrics::Counter& runs_failed_;
};

}  // namespace comanda::orders
