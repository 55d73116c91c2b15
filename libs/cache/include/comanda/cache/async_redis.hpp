#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "comanda/cache/redis.hpp"

namespace boost::asio {
class io_context;
}

namespace comanda::cache {

/// A non-blocking Redis reader on hiredis's asynchronous API, driven by an Asio io_context (the
/// HTTP server's I/O threads), so that a cache hit is answered without leaving the I/O thread.
///
/// It never waits for Redis: while it is not connected (at start, after a failure, during the
/// backoff) or when an answer takes longer than `timeout`, the callback gets nullopt at once and
/// the caller takes its ordinary blocking path. One connection, used through a strand, so
/// commands from every I/O thread are pipelined on it. Thread-safe.
class AsyncRedis {
 public:
  using Values = std::vector<std::optional<std::string>>;
  /// Runs on an I/O thread, possibly inside the call that started the command.
  using Callback = std::function<void(std::optional<Values>)>;

  /// `on_failure` runs (on an I/O thread) whenever the connection is lost or cannot be made.
  AsyncRedis(boost::asio::io_context& io, RedisUrl url, std::chrono::milliseconds timeout,
             std::chrono::milliseconds backoff, std::function<void()> on_failure = {});
  ~AsyncRedis();
  AsyncRedis(const AsyncRedis&) = delete;
  AsyncRedis& operator=(const AsyncRedis&) = delete;

  /// MGET `keys`: the values (nullopt per missing key), or nullopt when Redis cannot answer now.
  void MGet(std::vector<std::string> keys, Callback done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace comanda::cache
