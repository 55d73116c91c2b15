#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <pqxx/connection>
#include <stop_token>
#include <string>

#include "comanda/core/metrics.hpp"

namespace comanda::orders {

struct PruneOptions {
  std::string database_url;                     // its own connection, not the request pool's
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

/// Deletes outbox rows sent more than `outbox_retention` ago (never an unsent row) and idempotency
/// keys older than `key_retention` (never their orders), oldest first, in batches of `batch_size`
/// rows locked with FOR UPDATE SKIP LOCKED (replicas never wait for each other), every `interval`.
/// A failed run drops the connection and is retried at the next interval.
class Pruner {
 public:
  /// `ready` says when the schema exists (the request pool's Initialize() has run).
  Pruner(PruneOptions options, std::function<bool()> ready, metrics::Registry& registry);
  ~Pruner();
  Pruner(const Pruner&) = delete;
  Pruner& operator=(const Pruner&) = delete;

  /// False when both retentions are 0 (keep forever): Run() returns at once.
  bool enabled() const noexcept;

  /// Runs until `stop` is requested (the first run as soon as `ready`). Run it on its own thread.
  void Run(std::stop_token stop);

  /// One run: every batch until one is not full (at most `max_batches` per table). Throws on a
  /// database error.
  PruneCounts RunOnce(std::stop_token stop);

 private:
  void Connect();
  std::uint64_t DeleteBatches(const char* statement, std::chrono::seconds retention,
                              std::stop_token stop);

  PruneOptions options_;
  std::function<bool()> ready_;
  std::unique_ptr<pqxx::connection> db_;
  metrics::Counter& outbox_pruned_;
  metrics::Counter& keys_pruned_;
  metrics::Counter& runs_ok_;
  metrics::Counter& runs_failed_;
};

}  // namespace comanda::orders
