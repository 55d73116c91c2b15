#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace comanda::cache {

/// The parts of `redis://[:password@]host[:port][/db]`.
struct RedisUrl {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string password;
};

/// Parses a redis:// URL; nullopt when it is not one.
std::optional<RedisUrl> ParseRedisUrl(const std::string& url);

/// A small blocking Redis client on hiredis. Thread-safe: each call borrows a connection from a
/// pool. Redis is an optimisation here, so no call throws for connectivity: a failure returns
/// nullopt/false, drops the connection, and for `backoff` after it calls fail at once instead of
/// waiting on a dead server. The first command after a failure that gets a connection runs
/// `on_recover` before it executes.
class Redis {
 public:
  Redis(RedisUrl url, std::chrono::milliseconds timeout, std::chrono::milliseconds backoff);
  ~Redis();
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;

  /// Values of `keys` (nullopt per missing key); nullopt when Redis is unavailable.
  std::optional<std::vector<std::optional<std::string>>> MGet(const std::vector<std::string>& keys);
  bool SetEx(const std::string& key, const std::string& value, std::chrono::seconds ttl);
  std::optional<long long> Incr(const std::string& key);
  bool Ping();

  /// Runs when Redis is reached again after a failure, before the command that reached it
  /// (e.g. to bump a generation).
  void OnRecover(std::function<void()> callback) { on_recover_ = std::move(callback); }

  /// Records a failure seen elsewhere (an asynchronous reader lost Redis): the next command that
  /// reaches Redis runs `on_recover` first.
  void MarkFailed() noexcept {
    stale_ = true;
    failed_ = true;
  }
  /// False from a failure until a command has reached Redis again and `on_recover` has finished:
  /// until then, what Redis holds may predate writes it missed.
  bool Recovered() const noexcept { return !stale_.load(); }

 private:
  struct Reply;
  // Runs one command; nullopt when Redis is unavailable or answers with an error.
  std::optional<Reply> Command(const std::vector<std::string>& args);
  void* Connect() const;
  void Failed(void* context);

  RedisUrl url_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds backoff_;
  std::mutex mutex_;
  std::vector<void*> idle_;                  // redisContext*
  std::atomic<std::int64_t> down_until_{0};  // steady clock, nanoseconds since epoch
  std::atomic<bool> failed_{false};          // on_recover is due
  std::atomic<bool> stale_{false};           // on_recover is due or running
  std::function<void()> on_recover_;
};

}  // namespace comanda::cache
