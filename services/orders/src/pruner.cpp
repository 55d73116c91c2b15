#include "pruner.hpp"

#include <pqxx/pqxx>

#include "comanda/core/log.hpp"
#include "comanda/core/time.hpp"

namespace comanda::orders {
namespace {

constexpr auto kPruneOutbox = "prune_outbox";
constexpr auto kPruneKeys = "prune_idempotency_keys";

// Oldest first through the indexes of migration 002, then by ctid (a TID scan: an IN over the
// composite primary key of idempotency_keys was planned as a scan of the whole table). The rows are
// locked by the inner SELECT, so their ctid cannot change before the DELETE. The outer condition
// on outbox repeats the inner one: a row that is (or became) unsent is never deleted.
constexpr auto kPruneOutboxSql =
    "DELETE FROM outbox WHERE sent_at IS NOT NULL AND ctid = ANY(ARRAY("
    "SELECT ctid FROM outbox WHERE sent_at < now() - make_interval(secs => $1) "
    "ORDER BY sent_at LIMIT $2 FOR UPDATE SKIP LOCKED))";
// Deleting a key leaves its order alone (the foreign key goes from the key to the order).
constexpr auto kPruneKeysSql =
    "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY("
    "SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1) "
    "ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED))";

}  // namespace

PgExpiredRows::PgExpiredRows(std::string database_url)
    : connection_{std::move(database_url),
                  {{kPruneOutbox, kPruneOutboxSql}, {kPruneKeys, kPruneKeysSql}}} {}

std::uint64_t PgExpiredRows::DeleteBatch(Table table, std::chrono::seconds retention, int limit) {
  // Autocommit: each batch is its own transaction, so its row locks are held only for its DELETE.
  // Get() checks the connection first: it sat idle for an interval, and PostgreSQL may have
  // closed it (a restart) meanwhile.
  pqxx::nontransaction tx{connection_.Get()};
  const auto result = tx.exec_prepared(table == Table::kOutbox ? kPruneOutbox : kPruneKeys,
                                       static_cast<double>(retention.count()), limit);
  return static_cast<std::uint64_t>(result.affected_rows());
}

Pruner::Pruner(ExpiredRows& rows, PruneOptions options, core::metrics::Registry& registry)
    : rows_{rows},
      options_{options},
      outbox_pruned_{registry.GetCounter("orders_pruned_rows_total",
                                         "Rows deleted by the pruner after their retention",
                                         {{"table", "outbox"}})},
      keys_pruned_{registry.GetCounter("orders_pruned_rows_total",
                                       "Rows deleted by the pruner after their retention",
                                       {{"table", "idempotency_keys"}})},
      runs_ok_{registry.GetCounter("orders_prune_runs_total", "Pruner runs, by result",
                                   {{"result", "ok"}})},
      runs_failed_{registry.GetCounter("orders_prune_runs_total", "Pruner runs, by result",
                                       {{"result", "failed"}})} {}

std::string_view Pruner::DisabledBecause() const {
  const bool keep_all =
      options_.outbox_retention.count() <= 0 && options_.key_retention.count() <= 0;
  return keep_all ? "both retentions are 0: rows are kept forever" : "";
}

core::Backoff::Options Pruner::RetryDelays() const noexcept {
  return {options_.interval, options_.interval, 0.0};
}

std::uint64_t Pruner::DeleteBatches(ExpiredRows::Table table, std::chrono::seconds retention,
                                    std::stop_token stop) {
  std::uint64_t deleted = 0;
  if (retention.count() <= 0) return deleted;
  for (int batch = 0; batch < options_.max_batches && !stop.stop_requested(); ++batch) {
    const auto rows = rows_.DeleteBatch(table, retention, options_.batch_size);
    deleted += rows;
    if (rows < static_cast<std::uint64_t>(options_.batch_size)) break;
  }
  return deleted;
}

PruneCounts Pruner::RunOnce(std::stop_token stop) {
  PruneCounts counts;
  counts.outbox = DeleteBatches(ExpiredRows::Table::kOutbox, options_.outbox_retention, stop);
  outbox_pruned_.Inc(counts.outbox);
  counts.keys = DeleteBatches(ExpiredRows::Table::kIdempotencyKeys, options_.key_retention, stop);
  keys_pruned_.Inc(counts.keys);
  return counts;
}

void Pruner::Step(std::stop_token stop) {
  const auto started = std::chrono::steady_clock::now();
  const auto counts = RunOnce(stop);
  runs_ok_.Inc();
  if (counts.outbox > 0 || counts.keys > 0) {
    const std::chrono::duration<double, std::milli> took =
        std::chrono::steady_clock::now() - started;
    core::log::Info("pruned expired rows", {{"outbox", counts.outbox},
                                            {"idempotencyKeys", counts.keys},
                                            {"durationMs", took.count()}});
  }
  core::SleepFor(stop, options_.interval);
}

std::string_view Pruner::Recover(const std::exception&) noexcept {
  runs_failed_.Inc();
  rows_.Reset();
  return "pruner database error, retrying at the next run";
}

}  // namespace comanda::orders
