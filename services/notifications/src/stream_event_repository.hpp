#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "comanda/db/pool.hpp"
#include "live_events.hpp"

namespace comanda::notifications {

/// Where the stream hub reads events from: an interface so the hub is tested without PostgreSQL.
class StreamEventSource {
 public:
  virtual ~StreamEventSource() = default;
  /// The highest id committed now (0 when none).
  virtual std::int64_t Latest() = 0;
  /// Every event with an id above `after`, oldest first, at most `limit`.
  virtual std::vector<StreamEvent> After(std::int64_t after, int limit) = 0;
  /// The events `audience` sees with ids in (after, upto], oldest first, at most `limit`.
  virtual std::vector<StreamEvent> Replay(std::int64_t after, std::int64_t upto,
                                          const Audience& audience, int limit) = 0;
  /// Deletes events older than `age`; returns how many.
  virtual std::int64_t Prune(std::chrono::seconds age) = 0;
};

/// The prepared statements of StreamEventRepository.
std::vector<db::Statement> StreamStatements();

/// The `stream_events` table, joined with `notifications` for a notification's text.
class StreamEventRepository final : public StreamEventSource {
 public:
  explicit StreamEventRepository(db::Pool& db) : db_{db} {}
  std::int64_t Latest() override;
  std::vector<StreamEvent> After(std::int64_t after, int limit) override;
  std::vector<StreamEvent> Replay(std::int64_t after, std::int64_t upto, const Audience& audience,
                                  int limit) override;
  std::int64_t Prune(std::chrono::seconds age) override;

 private:
  db::Pool& db_;
};

}  // namespace comanda::notifications
