#include "pruner.hpp"

#include <pqxx/pqxx>

#include "comanda/core/log.hpp"
#include "comanda/core/time.hpp"
#include "comanda/db/pool.hpp"

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

Pruner::Pruner(PruneOptions options, std::function<bool()> ready, metrics::Registry& registry)
    : options_{std::move(options)},
      ready_{std::move(ready)},
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

Pruner::~Pruner() = default;

bool Pruner::enabled() const noexcept {
  return options_.outbox_retention.count() > 0 || options_.key_retention.count() > 0;
}

void Pruner::Connect() {
  db_.reset();
  auto connection = std::make_unique<pqxx::connection>(options_.database_url);
  connection->prepare(kPruneOutbox, kPruneOutboxSql);
  connection->prepare(kPruneKeys, kPruneKeysSql);
  db_ = std::move(connection);
}

std::uint64_t Pruner::DeleteBatches(const char* statement, std::chrono::seconds retention,
                                    std::stop_token stop) {
  std::uint64_t deleted = 0;
  if (retention.count() <= 0) return deleted;
  for (int batch = 0; batch < options_.max_batches && !stop.stop_requested(); ++batch) {
    // Autocommit: each batch is its own transaction, so its row locks are held only for its DELETE.
    pqxx::nontransaction tx{*db_};
    const auto result =
        tx.exec_prepared(statement, static_cast<double>(retention.count()), options_.batch_size);
    const auto rows = static_cast<std::uint64_t>(result.affected_rows());
    deleted += rows;
    if (rows < static_cast<std::uint64_t>(options_.batch_size)) break;
  }
  return deleted;
}

PruneCounts Pruner::RunOnce(std::stop_token stop) {
  // The connection sat idle for an interval: PostgreSQL may have closed it (a restart) meanwhile.
  if (!db_ || !db::Pool::StillOpen(*db_)) Connect();
  PruneCounts counts;
  // Each counter moves as soon as its table is done, so a failure on the other still counts it.
  counts.outbox = DeleteBatches(kPruneOutbox, options_.outbox_retention, stop);
  outbox_pruned_.Inc(counts.outbox);
  counts.keys = DeleteBatches(kPruneKeys, options_.key_retention, stop);
  keys_pruned_.Inc(counts.keys);
  return counts;
}

void Pruner::Run(std::stop_token stop) {
  if (!enabled()) {
    log::Info("pruner disabled (both retentions are 0: rows are kept forever)");
    return;
  }
  constexpr std::chrono::milliseconds kNotReadyDelay{100};
  while (!stop.stop_requested()) {
    if (!ready_()) {
      core::SleepFor(stop, kNotReadyDelay);
      continue;
    }
    const auto started = std::chrono::steady_clock::now();
    try {
      const auto counts = RunOnce(stop);
      runs_ok_.Inc();
      if (counts.outbox > 0 || counts.keys > 0) {
        const std::chrono::duration<double, std::milli> took =
            std::chrono::steady_clock::now() - started;
        log::Info("pruned expired rows", {{"outbox", counts.outbox},
                                          {"idempotencyKeys", counts.keys},
                                          {"durationMs", took.count()}});
      }
    } catch (const std::exception& e) {
      runs_failed_.Inc();
      log::Warn("pruner database error, retrying at the next run",
                {{"error", e.what()},
                 {"retryInMs", std::chrono::milliseconds{options_.interval}.count()}});
      db_.reset();
    }
    core::SleepFor(stop, options_.interval);
  }
  log::Info("pruner stopped");
}

}  // namespace comanda::orders
