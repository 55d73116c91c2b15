#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "comanda/cache/redis.hpp"
#include "comanda/core/worker.hpp"

namespace comanda::cache {

/// Redis's own client-side caching for the keys under one prefix: `CLIENT TRACKING ON BCAST
/// PREFIX <prefix> REDIRECT <own id>` and `SUBSCRIBE __redis__:invalidate` on one connection
/// (RESP2, as hiredis 0.14 speaks it). Redis then tells it of every key under the prefix that is
/// written, expires or is evicted, by anyone, and of a flush.
///
/// A core::Task: run it on a core::Worker. The listener gets each such key, and nullopt for
/// "drop everything": a flush, and whenever the link is lost, since what changed meanwhile is
/// unknown. Live() is true only while the link stands: a silent connection is pinged after
/// `heartbeat` and given up after another `heartbeat` without an answer. Keep a copy in memory
/// only while Live().
class InvalidationTracker final : public core::Task {
 public:
  using Listener = std::function<void(std::optional<std::string_view> key)>;

  InvalidationTracker(RedisUrl url, std::string prefix, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds heartbeat = std::chrono::milliseconds{200});
  ~InvalidationTracker() override;
  InvalidationTracker(const InvalidationTracker&) = delete;
  InvalidationTracker& operator=(const InvalidationTracker&) = delete;

  /// Set before the worker starts.
  void OnInvalidate(Listener listener) { listener_ = std::move(listener); }
  bool Live() const noexcept { return live_.load(); }

  void Step(std::stop_token stop) override;
  std::string_view Recover(const std::exception& error) noexcept override;
  void Stopped() noexcept override;

 private:
  void Subscribe();
  // Handles the replies read so far; false when none was complete.
  bool Dispatch();
  void Ping();
  void Drop() noexcept;
  void Tell(std::optional<std::string_view> key) const;

  RedisUrl url_;
  std::string prefix_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds heartbeat_;
  Listener listener_;
  void* context_ = nullptr;  // redisContext*, only on the worker's thread
  std::chrono::steady_clock::time_point last_heard_;
  bool ping_sent_ = false;
  std::atomic<bool> live_{false};
};

}  // namespace comanda::cache
